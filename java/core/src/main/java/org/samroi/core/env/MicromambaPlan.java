package org.samroi.core.env;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a micromamba install runs: the environment file it writes, the micromamba command
 * (run through appose's Mamba), and the pip command that then installs the shipped samroi
 * sources into the new environment.
 */
public final class MicromambaPlan {

    private final Path environmentFile;
    private final Path micromamba;
    private final String micromambaUrl;
    private final List<String> createCommand;
    private final List<String> samroiInstallCommand;

    MicromambaPlan(Path environmentFile, Path micromamba, String micromambaUrl, List<String> createCommand,
            List<String> samroiInstallCommand) {
        this.environmentFile = environmentFile;
        this.micromamba = micromamba;
        this.micromambaUrl = micromambaUrl;
        this.createCommand = Collections.unmodifiableList(new ArrayList<>(createCommand));
        this.samroiInstallCommand = Collections.unmodifiableList(new ArrayList<>(samroiInstallCommand));
    }

    /** The environment.yml written for micromamba. */
    public Path environmentFile() {
        return environmentFile;
    }

    /** Where micromamba is (downloaded there by appose if missing). */
    public Path micromamba() {
        return micromamba;
    }

    /** Where appose downloads micromamba from. */
    public String micromambaUrl() {
        return micromambaUrl;
    }

    /** micromamba env create ... (as appose's Mamba runs it). */
    public List<String> createCommand() {
        return createCommand;
    }

    /** python -m pip install --no-deps (shipped samroi sources). */
    public List<String> samroiInstallCommand() {
        return samroiInstallCommand;
    }

    @Override
    public String toString() {
        return String.join(" ", createCommand) + "\n" + String.join(" ", samroiInstallCommand);
    }
}
