package plugins.adufour.vars.lang;

/** Mirror of the Vars library's Var (shipped with EzPlug; the members samroi uses; API.md section 16). */
public class Var<T> {

    private final String name;
    private T value;

    public Var(String name, T defaultValue) throws NullPointerException {
        if (defaultValue == null) throw new NullPointerException("the default value of " + name + " is null");
        this.name = name;
        this.value = defaultValue;
    }

    /** How the mirror's array variables start (not part of the mirrored API). */
    Var(String name, T defaultValue, boolean nullable) {
        this.name = name;
        this.value = defaultValue;
    }

    public String getName() {
        return name;
    }

    public T getValue() {
        return value;
    }

    public void setValue(T newValue) throws IllegalArgumentException {
        value = newValue;
    }
}
