package icy.gui.dialog;

/** Mirror of Icy 2.5's MessageDialog; the body prints, as headless Icy does. */
public class MessageDialog {

    public static final int ERROR_MESSAGE = 0;
    public static final int INFORMATION_MESSAGE = 1;
    public static final int WARNING_MESSAGE = 2;

    private MessageDialog() {
    }

    public static void showDialog(String title, String message, int messageType) {
        (messageType == ERROR_MESSAGE ? System.err : System.out).println(title + ": " + message);
    }
}
