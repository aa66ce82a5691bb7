package icy.system.thread;

import java.awt.EventQueue;

/** Mirror of Icy 2.5's ThreadUtil (the members samroi uses; API.md section 12). */
public class ThreadUtil {

    private ThreadUtil() {
    }

    public static boolean isEventDispatchThread() {
        return EventQueue.isDispatchThread();
    }

    /** Runs at once on the event thread unless forceLater; otherwise queued on it. */
    public static void invokeLater(Runnable runnable, boolean forceLater) {
        if (!forceLater && EventQueue.isDispatchThread()) runnable.run();
        else EventQueue.invokeLater(runnable);
    }
}
