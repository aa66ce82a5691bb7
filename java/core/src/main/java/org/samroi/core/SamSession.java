package org.samroi.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apposed.appose.NDArray;
import org.apposed.appose.Service;
import org.samroi.core.env.PythonEnvironment;

/**
 * The samroi worker of one host application: a long-lived Python process (appose Service in
 * the given {@link PythonEnvironment}) that keeps models and the current image between calls.
 *
 * <p>
 * Every operation has an asynchronous form returning a {@link CompletableFuture} (completed on
 * a samroi thread, never the caller's) and a blocking form for macros and background threads.
 * Blocking forms refuse to run on the Swing event dispatch thread. Calls run one at a time in
 * submission order. Progress and the worker's log lines go to {@link ProgressListener}s.
 *
 * <p>
 * The worker starts on the first call (or {@link #startAsync()}); it must report the same
 * samroi version as this jar ({@link VersionMismatchException} otherwise). If it dies (killed,
 * out of memory, native crash) the running call fails with a {@link WorkerCrashedException}
 * carrying the end of its error output, and the next call starts a new worker.
 *
 * <p>
 * <b>The current image and its shared memory.</b> {@link #setImage(ImagePixels, ImageOptions)}
 * copies the pixels once into a new shared-memory segment, which the worker then reads in place
 * (no second copy). This session owns that segment and keeps it until the next
 * {@code setImage}, {@link #clearImage()} or {@link #close()}, whatever happens in between: if
 * the worker crashes, the next {@link #segment} starts a new worker and hands it the same
 * segment again (the model encodes the image anew). A {@code setImage} that fails (or is
 * cancelled) leaves no current image, and its own segment and the previous one are freed at
 * once. Segments of other calls (e.g. {@link #checkTransfer}) are freed when the call ends.
 * So at most one image segment exists per session, and none after {@code close()}.
 *
 * <p>
 * Worker calls are one-line Python scripts calling functions of {@code samroi.worker}; no
 * other Python source lives in Java.
 */
public final class SamSession implements AutoCloseable {

    /** How long the worker may take to start and answer hello (first start may scan files). */
    static final long START_TIMEOUT_MS = 120_000;
    /** How long after the worker process is gone a call still waits for its last messages. */
    static final long CRASH_GRACE_MS = 300;
    private static final int STDERR_TAIL_LINES = 25;
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern EXIT_CODE = Pattern.compile("exit code (-?\\d+)");
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final PythonEnvironment environment;
    private final String expectedVersion;
    private final ExecutorService calls;
    private final ExecutorService events;
    private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<Call<?>> queued = ConcurrentHashMap.newKeySet();
    private final Thread shutdownHook;
    private final boolean debug = Boolean.getBoolean("samroi.debug");

    private volatile Service service;
    private volatile WorkerInfo info;
    private volatile Call<?> running;
    private volatile boolean closed;

    /** The current image: its segment (owned here), the options it was set with, what the worker said. */
    private final Object imageLock = new Object();
    private NDArray imageSegment;
    private ImageOptions imageOptions;
    private ImageInfo imageInfo;

    /** The task-function API of samroi.worker this class speaks (samroi.worker.API_VERSION). */
    static final int WORKER_API = 2;

    /** A session for the given environment; nothing starts until the first call. */
    public SamSession(PythonEnvironment environment) {
        this(environment, SamroiBuild.version());
    }

    /** For tests: expect another samroi version from the worker. */
    SamSession(PythonEnvironment environment, String expectedVersion) {
        this.environment = environment;
        this.expectedVersion = expectedVersion;
        int n = SESSIONS.incrementAndGet();
        this.calls = Executors.newSingleThreadExecutor(daemon("samroi-session-" + n));
        this.events = Executors.newSingleThreadExecutor(daemon("samroi-events-" + n));
        this.shutdownHook = new Thread(this::close, "samroi-session-" + n + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public PythonEnvironment environment() {
        return environment;
    }

    public void addListener(ProgressListener listener) {
        listeners.add(listener);
    }

    public void removeListener(ProgressListener listener) {
        listeners.remove(listener);
    }

    /** Whether a worker process is running now. */
    public boolean isWorkerRunning() {
        Service s = service;
        return s != null && s.isAlive();
    }

    /** What the running worker said about itself, or null if none is running. */
    public WorkerInfo workerInfo() {
        return isWorkerRunning() ? info : null;
    }

    // --- operations ------------------------------------------------------------------------

    /** Start the worker if it is not running (checks its samroi version). */
    public CompletableFuture<WorkerInfo> startAsync() {
        return submit("start", this::ensureWorker);
    }

    /** Blocking form of {@link #startAsync()}. */
    public WorkerInfo ensureStarted() throws SamException {
        return await(startAsync());
    }

    /** Ask the worker who it is ({@code samroi.worker.hello}); completes with its samroi version. */
    public CompletableFuture<String> helloAsync() {
        return submit("hello", call -> {
            ensureWorker(call);
            return String.valueOf(execute(call, "hello", Collections.<String, Object>emptyMap(), null, START_TIMEOUT_MS)
                    .get("version"));
        });
    }

    /** Blocking form of {@link #helloAsync()}. */
    public String hello() throws SamException {
        return await(helloAsync());
    }

    /**
     * Make image the current image, for the model and settings of options (the model is loaded
     * the first time it is used; it stays loaded). The pixels are copied once into shared memory,
     * which the worker reads in place; see the class notes for how long that memory lives.
     * Nothing is encoded yet: the first {@link #segment} on a region does that.
     *
     * <p>
     * Fails with {@link UnknownModelException}, {@link MissingWeightsException} (weights not
     * installed, or the checkpoint file is missing), {@link BadImageException} or
     * {@link WorkerException} (e.g. a bad normalisation); after a failure no image is set.
     */
    public CompletableFuture<ImageInfo> setImageAsync(ImagePixels image, ImageOptions options) {
        if (image == null) return failed(new BadImageException(BadImageException.Reason.EMPTY, "No image was given."));
        ImageOptions opts = options == null ? ImageOptions.defaults() : options;
        return submit("set_image", call -> {
            WorkerInfo wi = ensureWorker(call);
            progress(call, "Copying the image to shared memory", 0, 0);
            NDArray nd = image.toNDArray();
            NDArray old;
            synchronized (imageLock) {
                old = imageSegment;
                imageSegment = null;
                imageOptions = null;
                imageInfo = null;
            }
            boolean kept = false;
            try {
                ImageInfo result = sendImage(call, nd, opts, wi);
                synchronized (imageLock) {
                    imageSegment = nd;
                    imageOptions = opts;
                    imageInfo = result;
                }
                kept = true;
                return result;
            } finally {
                // The worker has let go of the previous image (replaced, or cleared by the failure).
                free(old);
                if (!kept) free(nd);
            }
        });
    }

    /** Blocking form of {@link #setImageAsync(ImagePixels, ImageOptions)}. */
    public ImageInfo setImage(ImagePixels image, ImageOptions options) throws SamException {
        return await(setImageAsync(image, options));
    }

    /** The current image as the worker described it, or null when none is set. */
    public ImageInfo currentImage() {
        synchronized (imageLock) {
            return imageInfo;
        }
    }

    /** Forget the current image and free its shared memory (models and cached embeddings stay). */
    public CompletableFuture<Void> clearImageAsync() {
        return submit("clear_image", call -> {
            NDArray old;
            long pid;
            synchronized (imageLock) {
                old = imageSegment;
                pid = imageInfo == null ? -1 : imageInfo.workerPid();
                imageSegment = null;
                imageOptions = null;
                imageInfo = null;
            }
            try {
                Service s = service;
                WorkerInfo wi = info;
                if (s != null && s.isAlive() && wi != null && wi.pid() == pid) {
                    execute(call, "clear_image", Collections.<String, Object>emptyMap(), null, START_TIMEOUT_MS);
                }
            } finally {
                free(old);
            }
            return null;
        });
    }

    /** Blocking form of {@link #clearImageAsync()}. */
    public void clearImage() throws SamException {
        await(clearImageAsync());
    }

    /**
     * Segment one object per prompt on the current image; the objects come back in prompt order.
     * Prompts are checked against the image size first ({@link PromptException} naming the
     * prompt and the valid range). Runs the encoder for regions not seen before (about a second
     * or two per 1024-pixel tile on a laptop); later prompts on the same region take
     * milliseconds. If the worker had crashed since the image was set, it is restarted and
     * given the image again.
     *
     * @throws NoImageException (through the future) if no image is set
     */
    public CompletableFuture<List<SegmentedObject>> segmentAsync(List<Prompt> prompts, SegmentOptions options) {
        if (prompts == null) return failed(new IllegalArgumentException("prompts is null"));
        final List<Prompt> list = new ArrayList<>(prompts);
        for (Prompt p : list) {
            if (p == null) return failed(new IllegalArgumentException("a prompt is null"));
        }
        final SegmentOptions opts = options == null ? SegmentOptions.defaults() : options;
        return submit("segment", call -> {
            WorkerInfo wi = ensureWorker(call);
            ImageInfo image = imageFor(call, wi);
            for (int i = 0; i < list.size(); i++) list.get(i).checkInside(i, image.width(), image.height());
            if (list.isEmpty()) return Collections.<SegmentedObject>emptyList();
            Map<String, Object> args = new HashMap<>();
            args.put("prompts", promptArgs(list));
            args.put("options", opts.toArgs());
            Map<String, Object> out = execute(call, "segment", args, null, 0);
            List<SegmentedObject> objects = new ArrayList<>();
            for (Object o : (List<?>) out.get("objects")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                objects.add(SegmentedObject.fromOutputs(m));
            }
            return Collections.unmodifiableList(objects);
        });
    }

    /** Blocking form of {@link #segmentAsync(List, SegmentOptions)}. */
    public List<SegmentedObject> segment(List<Prompt> prompts, SegmentOptions options) throws SamException {
        return await(segmentAsync(prompts, options));
    }

    /** Segment one prompt with the default options. */
    public SegmentedObject segment(Prompt prompt) throws SamException {
        return segment(Collections.singletonList(prompt), SegmentOptions.defaults()).get(0);
    }

    /** The models samroi can run, whether their official weights are installed, and which are loaded. */
    public CompletableFuture<List<ModelInfo>> listModelsAsync() {
        return submit("models", call -> {
            ensureWorker(call);
            Map<String, Object> out = execute(call, "models", Collections.<String, Object>emptyMap(), null,
                    START_TIMEOUT_MS);
            List<ModelInfo> models = new ArrayList<>();
            for (Object o : (List<?>) out.get("models")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                models.add(new ModelInfo(m));
            }
            return Collections.unmodifiableList(models);
        });
    }

    /** Blocking form of {@link #listModelsAsync()}. */
    public List<ModelInfo> listModels() throws SamException {
        return await(listModelsAsync());
    }

    /**
     * Install the official weights of model: downloaded (file null), or from a copy of the
     * official file the user downloaded elsewhere. The file is verified before it is used.
     * Progress events report the bytes written. Completes with the installed file.
     */
    public CompletableFuture<Path> installWeightsAsync(String model, Path file) {
        if (model == null) return failed(new IllegalArgumentException("model is null"));
        return submit("install_weights", call -> {
            ensureWorker(call);
            Map<String, Object> args = new HashMap<>();
            args.put("model", model);
            if (file != null) args.put("source", file.toAbsolutePath().toString());
            Map<String, Object> out = execute(call, "install_weights", args, null, 0);
            return Paths.get(String.valueOf(out.get("path")));
        });
    }

    /** Blocking form of {@link #installWeightsAsync(String, Path)}. */
    public Path installWeights(String model, Path file) throws SamException {
        return await(installWeightsAsync(model, file));
    }

    /**
     * Send image to the worker only to check the transfer: the worker reports {@link ImageStats}
     * (compare with {@link ImagePixels#expectedStats()}). The image does not become the current
     * image; its shared memory is freed when the call ends. For diagnostics and tests.
     */
    public CompletableFuture<ImageStats> checkTransferAsync(ImagePixels image) {
        if (image == null) return failed(new BadImageException(BadImageException.Reason.EMPTY, "No image was given."));
        return submit("check_image", call -> {
            ensureWorker(call);
            progress(call, "Copying the image to shared memory", 0, 0);
            NDArray nd = image.toNDArray();
            try {
                return ImageStats.fromOutputs(execute(call, "check_image", Collections.<String, Object>emptyMap(), nd, 0));
            } finally {
                free(nd);
            }
        });
    }

    /** Blocking form of {@link #checkTransferAsync(ImagePixels)}. */
    public ImageStats checkTransfer(ImagePixels image) throws SamException {
        return await(checkTransferAsync(image));
    }

    /**
     * Call any task function of samroi.worker: {@code fn(task, **args)}, plus {@code image=} if
     * image is not null (its shared memory is freed when the call ends). Completes with the
     * function's outputs.
     */
    CompletableFuture<Map<String, Object>> callAsync(String function, Map<String, Object> args, ImagePixels image) {
        if (!FUNCTION_NAME.matcher(function).matches()) throw new IllegalArgumentException("bad function name " + function);
        Map<String, Object> copy = new HashMap<>(args == null ? Collections.<String, Object>emptyMap() : args);
        return submit(function, call -> {
            ensureWorker(call);
            NDArray nd = null;
            try {
                if (image != null) {
                    progress(call, "Copying the image to shared memory", 0, 0);
                    nd = image.toNDArray();
                }
                return execute(call, function, copy, nd, 0);
            } finally {
                free(nd);
            }
        });
    }

    /** The segment of the current image, for tests (null when none). */
    NDArray imageSegment() {
        synchronized (imageLock) {
            return imageSegment;
        }
    }

    // --- image helpers ---------------------------------------------------------------------

    /** Hand the segment to the worker's set_image; the caller owns the segment. */
    private ImageInfo sendImage(Call<?> call, NDArray nd, ImageOptions opts, WorkerInfo wi)
            throws SamException, InterruptedException {
        Map<String, Object> args = new HashMap<>();
        args.put("model", opts.model());
        if (opts.checkpoint() != null) args.put("checkpoint", opts.checkpoint().toAbsolutePath().toString());
        args.put("runtime", opts.runtime());
        args.put("normalize", opts.normalize());
        if (opts.channel() != null) args.put("channel", opts.channel());
        int[] rgb = opts.rgbChannels();
        if (rgb != null) {
            List<Integer> l = new ArrayList<>();
            for (int c : rgb) l.add(c);
            args.put("rgb_channels", l);
        }
        Map<String, Object> out = execute(call, "set_image", args, nd, 0);
        return new ImageInfo(out, wi.pid());
    }

    /** The current image, given again to a worker that was restarted since it was set. */
    private ImageInfo imageFor(Call<?> call, WorkerInfo wi) throws SamException, InterruptedException {
        NDArray nd;
        ImageOptions opts;
        synchronized (imageLock) {
            if (imageInfo == null || imageSegment == null) {
                throw new NoImageException("No image has been given to samroi yet.");
            }
            if (imageInfo.workerPid() == wi.pid()) return imageInfo;
            nd = imageSegment;
            opts = imageOptions;
        }
        progress(call, "Giving the image to the restarted samroi worker", 0, 0);
        try {
            ImageInfo again = sendImage(call, nd, opts, wi);
            synchronized (imageLock) {
                if (imageSegment == nd) imageInfo = again;
            }
            return again;
        } catch (SamException | InterruptedException | RuntimeException e) {
            synchronized (imageLock) {
                if (imageSegment == nd) {
                    imageSegment = null;
                    imageOptions = null;
                    imageInfo = null;
                }
            }
            free(nd);
            throw e;
        }
    }

    private static List<Map<String, Object>> promptArgs(List<Prompt> prompts) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Prompt p : prompts) {
            Map<String, Object> m = new HashMap<>();
            if (!p.points().isEmpty()) {
                List<List<Double>> pts = new ArrayList<>();
                List<Integer> labels = new ArrayList<>();
                for (Prompt.Point q : p.points()) {
                    pts.add(Arrays.asList(q.x(), q.y()));
                    labels.add(q.positive() ? 1 : 0);
                }
                m.put("points", pts);
                m.put("labels", labels);
            }
            if (p.box() != null) {
                Prompt.Box b = p.box();
                m.put("box", Arrays.asList(b.x0(), b.y0(), b.x1(), b.y1()));
            }
            out.add(m);
        }
        return out;
    }

    private void free(NDArray nd) {
        if (nd == null) return;
        try {
            nd.close(); // unmaps and unlinks the segment
        } catch (RuntimeException e) {
            log("samroi: could not free shared memory " + nd.shm().name() + ": " + e);
        }
    }

    private static <T> CompletableFuture<T> failed(Throwable t) {
        CompletableFuture<T> f = new CompletableFuture<>();
        f.completeExceptionally(t);
        return f;
    }

    /**
     * Cancel the running call and every queued one. The running call ends with
     * {@link SamCancelledException} as soon as the worker notices (worker functions check
     * regularly); the worker keeps running.
     */
    public void cancel() {
        for (Call<?> c : queued) {
            c.requestCancel();
            fail(c, new SamCancelledException(describe(c.name)));
        }
        Call<?> r = running;
        if (r != null) r.requestCancel();
    }

    /**
     * Stop the worker and release everything. Queued and running calls end with
     * {@link SamCancelledException}. The session cannot be used afterwards.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down
            }
        }
        cancel();
        Service s = service;
        if (s != null) stopService(s, 2000);
        calls.shutdown();
        try {
            if (!calls.awaitTermination(5, TimeUnit.SECONDS)) {
                calls.shutdownNow();
                calls.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NDArray image;
        synchronized (imageLock) {
            image = imageSegment;
            imageSegment = null;
            imageOptions = null;
            imageInfo = null;
        }
        free(image); // the worker is gone: nobody maps it any more
        events.shutdown();
    }

    // --- machinery -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Body<T> {
        T run(Call<T> call) throws SamException, InterruptedException;
    }

    private static final class Call<T> {
        final String name;
        final Body<T> body;
        final CompletableFuture<T> future = new CompletableFuture<>();
        volatile boolean cancelRequested;
        volatile Service.Task task;

        Call(String name, Body<T> body) {
            this.name = name;
            this.body = body;
        }

        void requestCancel() {
            cancelRequested = true;
            Service.Task t = task;
            if (t != null) {
                try {
                    t.cancel();
                } catch (RuntimeException e) {
                    // worker already gone
                }
            }
        }
    }

    private <T> CompletableFuture<T> submit(String name, Body<T> body) {
        Call<T> call = new Call<>(name, body);
        if (closed) {
            call.future.completeExceptionally(new SamCancelledException(describe(name) + " (the samroi session is closed)"));
            return call.future;
        }
        call.future.whenComplete((r, e) -> {
            if (call.future.isCancelled()) call.requestCancel();
        });
        queued.add(call);
        try {
            calls.execute(() -> runCall(call));
        } catch (RejectedExecutionException e) {
            queued.remove(call);
            call.future.completeExceptionally(new SamCancelledException(describe(name) + " (the samroi session is closed)"));
        }
        return call.future;
    }

    private <T> void runCall(Call<T> call) {
        queued.remove(call);
        if (call.future.isDone()) return;
        if (call.cancelRequested || closed) {
            fail(call, new SamCancelledException(describe(call.name)));
            return;
        }
        running = call;
        try {
            T result = call.body.run(call);
            deliver(() -> call.future.complete(result));
        } catch (SamException e) {
            fail(call, e);
        } catch (InterruptedException e) {
            fail(call, new SamCancelledException(describe(call.name)));
        } catch (RuntimeException | Error e) {
            fail(call, new SamException("Unexpected error in samroi while " + describe(call.name).toLowerCase(java.util.Locale.ROOT) + ": " + e,
                    "Please report this to the samroi developers, with the log.", e));
        } finally {
            running = null;
        }
    }

    private void fail(Call<?> call, Throwable t) {
        deliver(() -> call.future.completeExceptionally(t));
    }

    private void deliver(Runnable r) {
        try {
            events.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private WorkerInfo ensureWorker(Call<?> call) throws SamException, InterruptedException {
        Service s = service;
        if (s != null && s.isAlive() && info != null) return info;
        if (s != null) disposeService(s);
        Path python = environment.python();
        if (!Files.isRegularFile(python)) {
            throw new EnvironmentMissingException("samroi's Python (" + python + ") is not there.",
                    "Install the samroi Python environment (samroi > Install Python environment), or choose another Python.",
                    python);
        }
        progress(call, "Starting the samroi worker", 0, 0);
        List<String> cmd = environment.workerCommand();
        Service ns = new Service(environment.workingDirectory().toFile(), cmd.toArray(new String[0]));
        ns.debug(this::onDebug);
        try {
            ns.start();
        } catch (IOException e) {
            throw new EnvironmentMissingException("samroi could not start its Python (" + python + "): " + e.getMessage(),
                    "Reinstall the samroi Python environment, or choose another Python.", python, e);
        }
        service = ns;
        Map<String, Object> out;
        try {
            out = execute(call, "hello", Collections.<String, Object>emptyMap(), null, START_TIMEOUT_MS);
        } catch (WorkerCrashedException e) {
            disposeService(ns);
            throw new EnvironmentMissingException("The samroi worker could not start with " + python
                    + (e.stderrTail().isEmpty() ? "." : ". Its messages:\n" + e.stderrTail()),
                    "Reinstall the samroi Python environment (samroi > Install Python environment), or choose a Python "
                            + "that has samroi installed.", python, e);
        } catch (SamException | InterruptedException | RuntimeException e) {
            disposeService(ns);
            throw e;
        }
        WorkerInfo wi = new WorkerInfo(out);
        if (!expectedVersion.equals(wi.version()) || wi.apiVersion() != WORKER_API) {
            disposeService(ns);
            throw new VersionMismatchException(expectedVersion, wi.version()
                    + (wi.apiVersion() != WORKER_API ? " (worker API " + wi.apiVersion() + ", expected " + WORKER_API + ")" : ""),
                    python.toString());
        }
        info = wi;
        progress(call, "samroi worker ready (Python " + wi.pythonVersion() + ")", 1, 1);
        return wi;
    }

    /**
     * Run fn(task, **args) in the worker and wait for it. image (may be null) is passed as
     * {@code image=}; it stays the caller's to free. A samroi error the worker answers as
     * outputs becomes a typed exception.
     */
    private Map<String, Object> execute(Call<?> call, String fn, Map<String, Object> args, NDArray image,
            long timeoutMs) throws SamException, InterruptedException {
        Service s = service;
        if (s == null) throw new WorkerCrashedException("The samroi worker is not running", null, "", null);
        Map<String, Object> a = new HashMap<>(args);
        try {
            if (image != null) a.put("image", image);
            Map<String, Object> inputs = new HashMap<>();
            inputs.put("args", a);
            Service.Task task;
            try {
                task = s.task("import samroi.worker as _w; _w." + fn + "(task, **args)", inputs);
            } catch (IOException e) {
                throw new WorkerCrashedException("The samroi worker could not be reached", null, stderrTail(s), e);
            }
            CountDownLatch done = new CountDownLatch(1);
            task.listen(ev -> {
                if (ev.responseType == Service.ResponseType.UPDATE) progress(call, ev.message, ev.current, ev.maximum);
                if (ev.responseType.isTerminal()) done.countDown();
            });
            call.task = task;
            if (call.cancelRequested) throw new SamCancelledException(describe(call.name));
            task.start();
            if (call.cancelRequested) call.requestCancel();
            long start = System.nanoTime();
            long deadSince = -1;
            while (!done.await(20, TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if (!s.isAlive()) {
                    if (deadSince < 0) deadSince = now;
                    else if (now - deadSince > TimeUnit.MILLISECONDS.toNanos(CRASH_GRACE_MS)) break;
                }
                if (timeoutMs > 0 && now - start > TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                    String tail = stderrTail(s);
                    disposeService(s);
                    throw new WorkerCrashedException("The samroi worker did not answer within " + timeoutMs / 1000
                            + " seconds and was stopped", null, tail, null);
                }
            }
            switch (task.status) {
                case COMPLETE:
                    Map<String, Object> outputs = new HashMap<>(task.outputs);
                    if (Boolean.TRUE.equals(outputs.get("cancelled"))) throw new SamCancelledException(describe(call.name));
                    if (outputs.get("error") instanceof Map) {
                        throw WorkerException.fromErrorOutputs(fn, (Map<?, ?>) outputs.get("error"), outputs.get("traceback"));
                    }
                    return outputs;
                case CANCELED:
                    throw new SamCancelledException(describe(call.name));
                case FAILED:
                    throw WorkerException.fromTraceback(fn, task.error);
                default:
                    // CRASHED, or the process is gone without a last word.
                    String tail = stderrTail(s);
                    Integer code = exitCode(task.error);
                    disposeService(s);
                    if (closed && call.cancelRequested) throw new SamCancelledException(describe(call.name));
                    throw new WorkerCrashedException("The samroi worker stopped while " + describe(fn).toLowerCase(java.util.Locale.ROOT),
                            code, tail, null);
            }
        } finally {
            call.task = null;
        }
    }

    private void disposeService(Service s) {
        if (service == s) {
            service = null;
            info = null;
        }
        stopService(s, 0);
    }

    private static void stopService(Service s, long graceMs) {
        try {
            s.close(); // closes the worker's stdin: it exits when its tasks end
        } catch (RuntimeException e) {
            // never started
        }
        long deadline = System.currentTimeMillis() + graceMs;
        while (s.isAlive() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (s.isAlive()) {
            try {
                s.kill();
            } catch (RuntimeException e) {
                // already gone
            }
        }
    }

    private static Integer exitCode(String error) {
        if (error == null) return null;
        Matcher m = EXIT_CODE.matcher(error);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static String stderrTail(Service s) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                List<String> lines = new ArrayList<>(s.errorLines());
                List<String> useful = new ArrayList<>();
                for (String line : lines) {
                    if (!line.startsWith("[WARNING]")) useful.add(line);
                }
                int from = Math.max(0, useful.size() - STDERR_TAIL_LINES);
                return String.join("\n", useful.subList(from, useful.size()));
            } catch (ConcurrentModificationException e) {
                // the stderr thread appended meanwhile; try again
            }
        }
        return "";
    }

    private void onDebug(String line) {
        // appose prefixes worker stderr with [WORKER-n] and its own traffic with [SERVICE-n].
        if (line.startsWith("[WORKER-")) {
            int end = line.indexOf("] ");
            log(end > 0 ? line.substring(end + 2) : line);
        } else if (debug) {
            log(line);
        }
    }

    private void progress(Call<?> call, String message, long current, long maximum) {
        emit(ProgressEvent.progress(call.name, message, current, maximum));
    }

    private void log(String line) {
        emit(ProgressEvent.log("worker", line));
    }

    private void emit(ProgressEvent event) {
        if (listeners.isEmpty()) return;
        deliver(() -> {
            for (ProgressListener l : listeners) ProgressListener.notify(l, event);
        });
    }

    private static String describe(String name) {
        switch (name) {
            case "start":
                return "Starting the samroi worker";
            case "hello":
                return "Contacting the samroi worker";
            case "set_image":
                return "Sending the image";
            case "check_image":
                return "Checking the image transfer";
            case "clear_image":
                return "Clearing the image";
            case "segment":
                return "Segmenting";
            case "models":
                return "Listing the models";
            case "install_weights":
                return "Installing the weights";
            default:
                return "Running " + name;
        }
    }

    /**
     * The result of a samroi future, waiting for it: samroi's exceptions come out as they are
     * (also through composed stages), an interrupt cancels the operation. For the blocking forms
     * and for hosts that compose the asynchronous ones.
     *
     * @throws IllegalStateException on the Swing event dispatch thread (the interface would freeze)
     */
    public static <T> T await(CompletableFuture<T> future) throws SamException {
        if (isEventDispatchThread()) {
            future.cancel(true);
            throw new IllegalStateException("samroi's blocking calls must not run on the Swing event dispatch "
                    + "thread (the user interface would freeze); use the ...Async form.");
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SamCancelledException("The samroi operation");
        } catch (CancellationException e) {
            throw new SamCancelledException("The samroi operation");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
            if (cause instanceof SamException) throw (SamException) cause;
            throw new SamException("Unexpected error in samroi: " + cause, "Please report this to the samroi developers.",
                    cause);
        }
    }

    private static boolean isEventDispatchThread() {
        try {
            return java.awt.EventQueue.isDispatchThread();
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Daemon threads whose context class loader is samroi's own: appose's JSON (groovy-json)
     * finds its services through it, and hosts load plugins with their own loaders, which the
     * threads that call us (macro, event or pool threads) need not have. The worker's reader
     * threads, started from these, inherit it.
     */
    private static ThreadFactory daemon(String name) {
        ClassLoader samroi = SamSession.class.getClassLoader();
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.setContextClassLoader(samroi);
            return t;
        };
    }
}
