package icy.roi;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.w3c.dom.Node;

/** Mirror of Icy 2.5's icy.roi.ROI (the members samroi uses; API.md section 8). */
public abstract class ROI {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final int id = IDS.incrementAndGet();
    private final Map<String, String> properties = new TreeMap<>();
    private String name = "";

    public ROI() {
    }

    /** Writes nothing here: the XML comes from Icy itself. */
    public static void saveROIsToXML(Node node, List<ROI> rois) {
    }

    public int getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public void setName(String value) {
        name = value;
    }

    public synchronized String getProperty(String name) {
        return properties.get(name);
    }

    public synchronized void setProperty(String name, String value) {
        properties.put(name, value);
    }
}
