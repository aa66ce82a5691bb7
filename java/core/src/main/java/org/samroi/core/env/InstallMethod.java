package org.samroi.core.env;

/** How the Python environment is made. */
public enum InstallMethod {
    /**
     * micromamba creates a conda environment from samroi's environment.yml (conda-forge Python,
     * pip packages from PyPI). The default for end users: needs no Python on the computer.
     */
    MICROMAMBA,
    /** uv (itself downloaded from PyPI) makes a virtual environment and installs from PyPI. */
    UV,
    /** A Python the user already has, with samroi importable in it; samroi installs nothing. */
    EXISTING_PYTHON
}
