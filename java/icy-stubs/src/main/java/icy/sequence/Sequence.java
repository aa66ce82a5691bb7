package icy.sequence;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import icy.image.IcyBufferedImage;
import icy.painter.Overlay;
import icy.roi.ROI;
import icy.type.DataType;

/**
 * Mirror of Icy 2.5's icy.sequence.Sequence (the members samroi uses; API.md section 6). The
 * body keeps images, ROIs and overlays in memory and sends ROI events synchronously to the
 * listeners, as API.md describes, so that the plugin's Icy-facing code can run in tests.
 */
public class Sequence {

    private final String name;
    private final Map<Long, IcyBufferedImage> images = new TreeMap<>();
    private final List<ROI> rois = new ArrayList<>();
    private final List<Overlay> overlays = new ArrayList<>();
    private final List<SequenceListener> listeners = new CopyOnWriteArrayList<>();

    public Sequence(String name) {
        this.name = name;
    }

    public Sequence(String name, IcyBufferedImage image) {
        this(name);
        setImage(0, 0, image);
    }

    public String getName() {
        return name;
    }

    public String getFilename() {
        return null;
    }

    public synchronized int getWidth() {
        return images.isEmpty() ? 0 : first().getWidth();
    }

    public synchronized int getHeight() {
        return images.isEmpty() ? 0 : first().getHeight();
    }

    public synchronized int getSizeZ() {
        int z = 0;
        for (long key : images.keySet()) z = Math.max(z, (int) key + 1);
        return z;
    }

    public synchronized int getSizeT() {
        int t = 0;
        for (long key : images.keySet()) t = Math.max(t, (int) (key >> 32) + 1);
        return t;
    }

    public synchronized int getSizeC() {
        return images.isEmpty() ? 0 : first().getSizeC();
    }

    public synchronized DataType getDataType_() {
        return images.isEmpty() ? DataType.UNDEFINED : first().getDataType_();
    }

    /** The pixel array of one channel of one plane, by reference (null if there is no such plane). */
    public synchronized Object getDataXY(int t, int z, int c) {
        IcyBufferedImage image = images.get(key(t, z));
        return image == null ? null : image.getDataXY(c);
    }

    public synchronized void setImage(int t, int z, BufferedImage image) throws IllegalArgumentException {
        if (!(image instanceof IcyBufferedImage)) throw new IllegalArgumentException("this mirror takes IcyBufferedImage only");
        IcyBufferedImage icy = (IcyBufferedImage) image;
        if (!images.isEmpty() && (icy.getWidth() != getWidth() || icy.getHeight() != getHeight()
                || icy.getSizeC() != getSizeC() || icy.getDataType_() != getDataType_())) {
            throw new IllegalArgumentException("the image does not match the sequence's size or type");
        }
        images.put(key(t, z), icy);
    }

    public boolean addROI(ROI roi) {
        synchronized (this) {
            if (rois.contains(roi)) return false;
            rois.add(roi);
        }
        fire(new SequenceEvent(this, SequenceEvent.SequenceEventSourceType.SEQUENCE_ROI, roi,
                SequenceEvent.SequenceEventType.ADDED));
        return true;
    }

    public boolean removeROI(ROI roi) {
        synchronized (this) {
            if (!rois.remove(roi)) return false;
        }
        fire(new SequenceEvent(this, SequenceEvent.SequenceEventSourceType.SEQUENCE_ROI, roi,
                SequenceEvent.SequenceEventType.REMOVED));
        return true;
    }

    public synchronized boolean contains(ROI roi) {
        return rois.contains(roi);
    }

    public synchronized ArrayList<ROI> getROIs() {
        return new ArrayList<>(rois);
    }

    public synchronized boolean addOverlay(Overlay overlay) {
        if (overlays.contains(overlay)) return false;
        return overlays.add(overlay);
    }

    public synchronized boolean removeOverlay(Overlay overlay) {
        return overlays.remove(overlay);
    }

    public void addListener(SequenceListener listener) {
        listeners.add(listener);
    }

    public void removeListener(SequenceListener listener) {
        listeners.remove(listener);
    }

    private void fire(SequenceEvent event) {
        for (SequenceListener l : listeners) l.sequenceChanged(event);
    }

    private IcyBufferedImage first() {
        return images.values().iterator().next();
    }

    private static long key(int t, int z) {
        return ((long) t << 32) | (z & 0xffffffffL);
    }
}
