package org.samroi.core.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apposed.appose.Service;
import org.junit.jupiter.api.Test;
import org.samroi.core.SamroiBuild;
import org.samroi.core.TestSupport;

/** Java and Python come from one build and must agree on versions and dependencies. */
class BuildConsistencyTest {

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    @Test
    void mavenPyprojectAndPackageVersionsAreEqual() throws IOException {
        String maven = System.getProperty("samroi.version");
        assertNotNull(maven, "Surefire must pass samroi.version");
        assertEquals(maven, SamroiBuild.version());
        String pyproject = ShippedPython.pyprojectVersion(read(TestSupport.repo().resolve("pyproject.toml")));
        assertEquals(maven, pyproject, "pom.xml version and pyproject.toml [project] version differ");
        assertEquals(maven, ShippedPython.pyprojectVersion(), "the pyproject.toml shipped in the jar is stale");
        Matcher m = Pattern.compile("(?m)^__version__\\s*=\\s*\"([^\"]+)\"")
                .matcher(read(TestSupport.repo().resolve("python/samroi/__init__.py")));
        assertTrue(m.find(), "samroi/__init__.py has no __version__");
        assertEquals(maven, m.group(1), "samroi.__version__ differs from the Maven version");
    }

    @Test
    void shippedSourcesAreTheRepositorysPythonPackage() throws IOException {
        List<String> entries = ShippedPython.entries();
        assertTrue(entries.contains("pyproject.toml"));
        assertTrue(entries.contains("python/samroi/__init__.py"));
        assertTrue(entries.contains("python/samroi/worker.py"));
        for (String e : entries) {
            assertFalse(e.contains("__pycache__") || e.endsWith(".pyc"), e);
        }
        // every shipped file is byte-identical to the repository's
        for (String e : entries) {
            byte[] shipped = ShippedPython.read(e);
            Path source = TestSupport.repo().resolve(e);
            assertTrue(Files.isRegularFile(source), "shipped file not in the repository: " + e);
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(source), shipped), "stale shipped file " + e);
        }
        assertEquals(64, ShippedPython.sha256().length());
        assertEquals(ShippedPython.sha256(), ShippedPython.sha256());
    }

    @Test
    void environmentYamlHasPyprojectDependenciesAndApposeOfTheJavaVersion() throws IOException {
        String yaml = new EnvironmentInstaller().environmentYaml();
        assertTrue(yaml.contains("  - conda-forge\n"), yaml);
        assertTrue(yaml.contains("  - python=" + EnvironmentInstaller.DEFAULT_PYTHON_VERSION + "\n"), yaml);
        assertFalse(yaml.contains("@"), "unfilled placeholder:\n" + yaml);
        List<String> pip = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^      - (.+)$").matcher(yaml);
        while (m.find()) pip.add(m.group(1));
        List<String> expected = new ArrayList<>(
                ShippedPython.pyprojectDependencies(read(TestSupport.repo().resolve("pyproject.toml"))));
        expected.add("appose==" + SamroiBuild.apposeVersion());
        assertEquals(expected, pip);
        for (String dep : pip) assertFalse(dep.startsWith("torch"), "the managed environment must not hold torch");
    }

    @Test
    void coreKnowsNothingOfImageJOrIcy() throws IOException {
        Path src = TestSupport.repo().resolve("java/core/src/main/java");
        try (java.util.stream.Stream<Path> files = Files.walk(src)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String text = read(f);
                assertFalse(Pattern.compile("(?m)^import\\s+(static\\s+)?(ij|icy|plugins|net\\.imagej)\\.").matcher(text).find(),
                        f + " imports ImageJ or Icy");
            }
        }
    }

    @Test
    void apposeJarIsTheVersionTheBuildDeclares() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Service.class.getResourceAsStream("/META-INF/maven/org.apposed/appose/pom.properties")) {
            assertNotNull(in);
            p.load(in);
        }
        assertEquals(SamroiBuild.apposeVersion(), p.getProperty("version"));
    }
}
