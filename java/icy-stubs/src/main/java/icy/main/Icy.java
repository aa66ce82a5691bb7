package icy.main;

import java.util.ArrayList;
import java.util.List;

import icy.gui.main.ActiveSequenceListener;
import icy.gui.main.MainInterface;
import icy.sequence.Sequence;

/**
 * Mirror of Icy 2.5's icy.main.Icy (the members samroi uses). The body stands in for a headless
 * Icy (MainInterfaceBatch, API.md section 4): the active sequence is the last one added.
 */
public class Icy {

    private static final MainInterface BATCH = new Batch();

    private Icy() {
    }

    public static MainInterface getMainInterface() {
        return BATCH;
    }

    public static String[] getCommandLinePluginArgs() {
        return new String[0];
    }

    /** What MainInterfaceBatch does with the members mirrored here. */
    private static final class Batch implements MainInterface {
        private Sequence active;
        private final List<ActiveSequenceListener> listeners = new ArrayList<>();

        @Override
        public boolean isHeadLess() {
            return true;
        }

        @Override
        public synchronized void addSequence(Sequence sequence) {
            active = sequence;
        }

        @Override
        public synchronized Sequence getActiveSequence() {
            return active;
        }

        @Override
        public String getSelectedTool() {
            return null;
        }

        @Override
        public synchronized void addActiveSequenceListener(ActiveSequenceListener listener) {
            listeners.add(listener);
        }

        @Override
        public synchronized void removeActiveSequenceListener(ActiveSequenceListener listener) {
            listeners.remove(listener);
        }
    }
}
