package org.samroi.icy;

import org.samroi.core.ImageOptions;
import org.samroi.core.ImagePixels;
import org.samroi.core.SamException;
import org.samroi.icy.logic.ChannelChoice;
import org.samroi.icy.logic.ImageRequest;
import org.samroi.icy.logic.PixelTypes;
import org.samroi.icy.logic.Plane;

import icy.sequence.Sequence;

/** A sequence's planes as samroi images: Icy's own channel arrays, by reference, never converted. */
public final class IcyImages {

    private IcyImages() {
    }

    /** One plane, the chosen channels (Icy keeps one array per channel; they are wrapped, not copied). */
    public static ImagePixels plane(Sequence sequence, Plane plane, ChannelChoice channels) throws SamException {
        ImagePixels.Type type = PixelTypes.of(sequence.getDataType_().name());
        plane.checkIn(sequence.getSizeZ(), sequence.getSizeT());
        int[] chosen = channels.channelsToSend(sequence.getSizeC());
        Object[] arrays = new Object[chosen.length];
        for (int i = 0; i < chosen.length; i++) arrays[i] = sequence.getDataXY(plane.t(), plane.z(), chosen[i]);
        return ImagePixels.channels(type, arrays, sequence.getWidth(), sequence.getHeight());
    }

    /** The request for one plane; its pixels are read on a samroi thread when the worker needs them. */
    public static ImageRequest request(Sequence sequence, Plane plane, long version, ChannelChoice channels,
            ImageOptions options) {
        return new ImageRequest(sequence, plane, version, channels, options, () -> plane(sequence, plane, channels));
    }
}
