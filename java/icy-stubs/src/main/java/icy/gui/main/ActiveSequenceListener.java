package icy.gui.main;

import java.util.EventListener;

import icy.sequence.Sequence;
import icy.sequence.SequenceEvent;

/** Mirror of Icy 2.5's ActiveSequenceListener. */
public interface ActiveSequenceListener extends EventListener {

    void sequenceActivated(Sequence sequence);

    void sequenceDeactivated(Sequence sequence);

    void activeSequenceChanged(SequenceEvent event);
}
