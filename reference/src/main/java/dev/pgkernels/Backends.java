package dev.pgkernels;

import dev.pgkernels.cg.CgKernels;
import dev.pgkernels.fisher.FisherKernels;
import dev.pgkernels.kfac.KfacKernels;
import dev.pgkernels.linalg.DenseLinalg;
import dev.pgkernels.scale.ScaleKernels;
import dev.pgkernels.scan.ScanKernels;
import dev.pgkernels.softmax.SoftmaxKernels;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The single entry point that hands out kernel backends.
 *
 * <pre>{@code
 * Backend b = Backends.best();                 // simd when the Vector API is usable, else reference
 * ScanKernels scans = b.scans().orElseThrow(); // best() always has every family
 * Backend ref = Backends.get("reference");     // a named backend, exactly that one
 * }</pre>
 *
 * <p>Backends are loaded by class name ({@code dev.pgkernels.<backend>.<Backend>Backend}) so
 * that {@code reference} never links against the Vector API, JOCL or jblas. A backend that cannot
 * load (its classes do not link, its natives are missing, no OpenCL platform) is remembered with
 * the reason, which {@link #unavailable()} reports and {@link #get(String)} throws.
 *
 * <p><b>Choosing the default.</b> {@link #best()} is decided once, lazily:
 * <ol>
 *   <li>If the system property {@value #PROPERTY} is set, that backend is used; if it cannot load,
 *       {@code best()} throws {@link BackendUnavailableException} — a forced choice fails loudly,
 *       never silently falls back.</li>
 *   <li>Otherwise {@code simd} when the module {@code jdk.incubator.vector} is in the boot layer
 *       (run with {@code --add-modules jdk.incubator.vector}) and its classes link;</li>
 *   <li>else {@code reference}, logging once (at INFO, through {@link System.Logger}) why and how
 *       to enable the Vector API.</li>
 * </ol>
 * The backend {@code best()} returns has every family: each family comes from the chosen backend
 * when it implements it, else from {@code reference}. {@link #providerOf} tells which.
 */
public final class Backends {
    /** System property that forces the backend of {@link #best()}: {@code reference}, {@code simd}, {@code jblas} or {@code opencl}. */
    public static final String PROPERTY = "pgkernels.backend";

    /** The module that the {@code simd} backend needs. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** Every backend name, in order of preference for {@link #best()} (reference last). */
    public static final List<String> NAMES = List.of("simd", "jblas", "opencl", "reference");

    private static final Map<String, String> CLASS_NAMES = Map.of(
            "reference", "dev.pgkernels.reference.ReferenceBackend",
            "simd", "dev.pgkernels.simd.SimdBackend",
            "jblas", "dev.pgkernels.jblas.JblasBackend",
            "opencl", "dev.pgkernels.opencl.OpenClBackend");

    /** name -> loaded backend, or the exception that explains why it cannot load. */
    private static final Map<String, Object> LOADED = new ConcurrentHashMap<>();

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {}

    /**
     * The backend with this name, exactly that one (no fallback for missing families).
     *
     * @throws IllegalArgumentException if the name is not one of {@link #NAMES}
     * @throws BackendUnavailableException if it cannot load here; the message says why
     */
    public static Backend get(String name) {
        Object o = load(name);
        if (o instanceof Backend b) {
            return b;
        }
        throw (BackendUnavailableException) o;
    }

    /** The backend with this name if it loads here, else empty. */
    public static Optional<Backend> find(String name) {
        Object o = load(name);
        return o instanceof Backend b ? Optional.of(b) : Optional.empty();
    }

    /** The {@code reference} backend: plain scalar Java, always available. */
    public static Backend reference() {
        return get("reference");
    }

    /** Each backend that does not load here, with the reason. */
    public static Map<String, String> unavailable() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : NAMES) {
            if (load(n) instanceof BackendUnavailableException e) {
                out.put(n, e.getMessage());
            }
        }
        return out;
    }

    /** Each backend that loads here, in {@link #NAMES} order. */
    public static List<Backend> available() {
        return NAMES.stream().map(Backends::find).flatMap(Optional::stream).toList();
    }

    /**
     * The default backend (see the class comment for how it is chosen); it has every family.
     *
     * @throws BackendUnavailableException if {@value #PROPERTY} forces a backend that cannot load
     */
    public static Backend best() {
        return BestHolder.BEST;
    }

    /** Which backend supplies {@code family} in {@code backend}, e.g. {@code providerOf(best(), Backend::kfac)}. */
    public static String providerOf(Backend backend, Function<Backend, Optional<?>> family) {
        if (backend instanceof Composite c) {
            return family.apply(c.primary).isPresent() ? c.primary.name() : c.fallback.name();
        }
        return family.apply(backend).isPresent() ? backend.name() : "none";
    }

    private static Object load(String name) {
        if (name == null || !CLASS_NAMES.containsKey(name)) {
            throw new IllegalArgumentException("unknown pgkernels backend '" + name + "'; expected one of "
                    + NAMES);
        }
        return LOADED.computeIfAbsent(name, Backends::instantiate);
    }

    private static Object instantiate(String name) {
        if (name.equals("simd") && ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return new BackendUnavailableException(name, "the module " + VECTOR_MODULE
                    + " is not in the boot layer; run java with --add-modules " + VECTOR_MODULE, null);
        }
        String cls = CLASS_NAMES.get(name);
        try {
            Class<?> c = Class.forName(cls, true, Backends.class.getClassLoader());
            return (Backend) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new BackendUnavailableException(name, "class " + cls + " is not on the class path ("
                    + hint(name) + ")", e);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause() == null ? e : e.getCause();
            return new BackendUnavailableException(name, describe(t), t);
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            return new BackendUnavailableException(name, describe(e), e);
        }
    }

    private static String describe(Throwable t) {
        String msg = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        if (t.getCause() != null && t.getCause() != t) {
            msg += " (caused by " + describe(t.getCause()) + ")";
        }
        return msg;
    }

    private static String hint(String name) {
        return switch (name) {
            case "simd" -> "add the dependency dev.pgkernels:kernels";
            case "jblas" -> "add dev.pgkernels:kernels and org.jblas:jblas, and install libgfortran5";
            case "opencl" -> "add the dependency dev.pgkernels:gpu";
            default -> "it is part of dev.pgkernels:reference";
        };
    }

    private static final class BestHolder {
        static final Backend BEST = chooseBest();

        private static Backend chooseBest() {
            Backend ref = reference();
            String forced = System.getProperty(PROPERTY);
            if (forced != null && !forced.isBlank()) {
                Backend b = get(forced.trim());
                return b == ref ? ref : new Composite(b, ref);
            }
            Object simd = load("simd");
            if (simd instanceof Backend b) {
                return new Composite(b, ref);
            }
            LOG.log(System.Logger.Level.INFO, () -> "pgkernels: using the scalar 'reference' backend because "
                    + ((BackendUnavailableException) simd).getMessage()
                    + ". For the Vector API kernels run java with --add-modules " + VECTOR_MODULE
                    + " and put dev.pgkernels:kernels on the class path.");
            return ref;
        }
    }

    /** A chosen backend whose missing families come from the reference backend. */
    private record Composite(Backend primary, Backend fallback) implements Backend {
        @Override
        public String name() {
            return primary.name();
        }

        private static <T> Optional<T> either(Optional<T> a, Optional<T> b) {
            return a.isPresent() ? a : b;
        }

        @Override
        public Optional<ScaleKernels> scale() {
            return either(primary.scale(), fallback.scale());
        }

        @Override
        public Optional<SoftmaxKernels> softmax() {
            return either(primary.softmax(), fallback.softmax());
        }

        @Override
        public Optional<ScanKernels> scans() {
            return either(primary.scans(), fallback.scans());
        }

        @Override
        public Optional<FisherKernels> fisher() {
            return either(primary.fisher(), fallback.fisher());
        }

        @Override
        public Optional<CgKernels> cg() {
            return either(primary.cg(), fallback.cg());
        }

        @Override
        public Optional<KfacKernels> kfac() {
            return either(primary.kfac(), fallback.kfac());
        }

        @Override
        public Optional<DenseLinalg> linalg() {
            return either(primary.linalg(), fallback.linalg());
        }

        @Override
        public String toString() {
            return "Backend[" + primary.name() + ", missing families from " + fallback.name() + "]";
        }
    }
}
