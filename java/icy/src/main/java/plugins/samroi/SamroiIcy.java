package plugins.samroi;

/** Placeholder: the Icy plugin (Icy only considers classes in packages starting with "plugins."). */
public final class SamroiIcy {
    private SamroiIcy() {
    }
}
