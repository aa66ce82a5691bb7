package org.samroi.icy.logic;

import java.util.Arrays;

import org.samroi.core.BadImageException;
import org.samroi.core.ImageOptions;

/**
 * Which channels of a multichannel sequence the model sees: all of them (up to three; the
 * worker's rules), one as gray, or up to three as red, green, blue. Only the chosen channels'
 * arrays are sent to the worker.
 */
public final class ChannelChoice {

    private static final ChannelChoice AUTO = new ChannelChoice(null);

    private final int[] channels; // null: all

    private ChannelChoice(int[] channels) {
        this.channels = channels;
    }

    /** Every channel of a sequence of up to three: gray, two as red/green, three as a colour image. */
    public static ChannelChoice auto() {
        return AUTO;
    }

    /** One channel (0-based), shown to the model as gray. */
    public static ChannelChoice single(int channel) {
        if (channel < 0) throw new IllegalArgumentException("channels are numbered from 0, got " + channel);
        return new ChannelChoice(new int[] { channel });
    }

    /** One to three channels (0-based) shown as red, green, blue, each with its own intensity range. */
    public static ChannelChoice rgb(int... channels) {
        if (channels.length < 1 || channels.length > 3) throw new IllegalArgumentException("give 1 to 3 channels");
        for (int c : channels) {
            if (c < 0) throw new IllegalArgumentException("channels are numbered from 0, got " + c);
        }
        return new ChannelChoice(channels.clone());
    }

    /** "" or "auto": all; "2": channel 2 as gray; "2,1,0": channels 2, 1, 0 as R, G, B. */
    public static ChannelChoice parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.equalsIgnoreCase("auto") || t.equalsIgnoreCase("all")) return AUTO;
        String[] parts = t.split(",", -1);
        if (parts.length > 3) throw new IllegalArgumentException("'" + t + "': at most three channels (red, green, blue)");
        int[] c = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                c[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + t + "': channels are whole numbers from 0, e.g. 1 or 2,1,0");
            }
        }
        return c.length == 1 && !t.contains(",") ? single(c[0]) : rgb(c);
    }

    public boolean isAuto() {
        return channels == null;
    }

    /**
     * The channels to send, in order, for a sequence of sizeC channels.
     *
     * @throws BadImageException if a channel does not exist, or all channels of more than three
     *             are asked for
     */
    public int[] channelsToSend(int sizeC) throws BadImageException {
        if (channels == null) {
            if (sizeC > 3) {
                throw new BadImageException(BadImageException.Reason.UNSUPPORTED_TYPE, "The sequence has " + sizeC
                        + " channels; the model sees at most three.",
                        "Choose one channel, or up to three to show as red, green and blue.");
            }
            int[] all = new int[sizeC];
            for (int i = 0; i < sizeC; i++) all[i] = i;
            return all;
        }
        for (int c : channels) {
            if (c >= sizeC) {
                throw new BadImageException(BadImageException.Reason.UNSUPPORTED_TYPE, "Channel " + c
                        + " does not exist: the sequence has " + sizeC + " channel" + (sizeC == 1 ? "" : "s")
                        + " (0.." + (sizeC - 1) + ").", "Choose a channel the sequence has.");
            }
        }
        return channels.clone();
    }

    /** The worker's options for the channels sent (a chosen set gets one intensity range per channel). */
    public ImageOptions apply(ImageOptions options) {
        ImageOptions o = options.withChannel(null).withRgbChannels((int[]) null);
        if (channels == null || channels.length == 1) return o;
        int[] sent = new int[channels.length];
        for (int i = 0; i < sent.length; i++) sent[i] = i;
        return o.withRgbChannels(sent);
    }

    /** The text parse() reads back. */
    public String text() {
        if (channels == null) return "auto";
        StringBuilder s = new StringBuilder();
        for (int c : channels) s.append(s.length() == 0 ? "" : ",").append(c);
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelChoice && Arrays.equals(channels, ((ChannelChoice) o).channels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(channels);
    }

    @Override
    public String toString() {
        if (channels == null) return "all channels";
        if (channels.length == 1) return "channel " + channels[0];
        return "channels " + text() + " as RGB";
    }
}
