package org.samroi.core.env;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs an installer step as a child process: merged output to a line consumer, interruptible. */
final class ProcessRunner {

    static final class Result {
        final int exitCode;
        final String tail;
        final String output;

        Result(int exitCode, String tail, String output) {
            this.exitCode = exitCode;
            this.tail = tail;
            this.output = output;
        }
    }

    private static final int TAIL_LINES = 30;

    private ProcessRunner() {
    }

    /**
     * Run cmd in dir with extra environment variables; every output line goes to lines and to log.
     * If the calling thread is interrupted, the process is destroyed and InterruptedException thrown.
     *
     * @param keepOutput also return the whole output (for small outputs such as the smoke test)
     */
    static Result run(List<String> cmd, Path dir, Map<String, String> env, Writer log, Consumer<String> lines,
            boolean keepOutput) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) pb.directory(dir.toFile());
        if (env != null) pb.environment().putAll(env);
        synchronized (ProcessRunner.class) {
            if (log != null) {
                log.write("$ " + String.join(" ", cmd) + System.lineSeparator());
                log.flush();
            }
        }
        Process process = pb.start();
        process.getOutputStream().close();
        Deque<String> tail = new ArrayDeque<>();
        StringBuilder all = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), Charset.defaultCharset()))) {
                for (String line; (line = in.readLine()) != null;) {
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) tail.removeFirst();
                        if (keepOutput) all.append(line).append('\n');
                    }
                    if (log != null) {
                        try {
                            log.write(line + System.lineSeparator());
                            log.flush();
                        } catch (IOException e) {
                            // keep reading: the log is a convenience
                        }
                    }
                    if (lines != null) lines.accept(line);
                }
            } catch (IOException e) {
                // process went away
            }
        }, "samroi-install-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int code = process.waitFor();
            reader.join(10_000);
            synchronized (tail) {
                return new Result(code, String.join("\n", tail), all.toString());
            }
        } catch (InterruptedException e) {
            destroy(process);
            throw e;
        }
    }

    static void destroy(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
