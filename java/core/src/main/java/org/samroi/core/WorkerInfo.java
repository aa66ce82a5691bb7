package org.samroi.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** What the worker said about itself when it started ({@code samroi.worker.hello()}). */
public final class WorkerInfo {

    private final String version;
    private final int api;
    private final long pid;
    private final String python;
    private final String executable;
    private final String apposeVersion;
    private final List<String> functions;

    WorkerInfo(Map<String, Object> out) {
        this.version = String.valueOf(out.get("version"));
        this.api = out.get("api") instanceof Number ? ((Number) out.get("api")).intValue() : 0;
        this.pid = out.get("pid") instanceof Number ? ((Number) out.get("pid")).longValue() : -1;
        this.python = String.valueOf(out.get("python"));
        this.executable = String.valueOf(out.get("executable"));
        this.apposeVersion = out.get("appose") == null ? null : String.valueOf(out.get("appose"));
        List<String> fns = new ArrayList<>();
        if (out.get("functions") instanceof List) {
            for (Object f : (List<?>) out.get("functions")) fns.add(String.valueOf(f));
        }
        this.functions = Collections.unmodifiableList(fns);
    }

    /** samroi version of the Python side. */
    public String version() {
        return version;
    }

    /** The worker's call-contract version (samroi.worker.API_VERSION). */
    public int apiVersion() {
        return api;
    }

    /** Process id of the worker. */
    public long pid() {
        return pid;
    }

    /** Python version, e.g. "3.11.7". */
    public String pythonVersion() {
        return python;
    }

    public String executable() {
        return executable;
    }

    /** Version of the Python appose package in the worker (may be null). */
    public String apposeVersion() {
        return apposeVersion;
    }

    /** The task functions samroi.worker offers. */
    public List<String> functions() {
        return functions;
    }

    @Override
    public String toString() {
        return "samroi " + version + " worker (pid " + pid + ", Python " + python + ", appose " + apposeVersion + ")";
    }
}
