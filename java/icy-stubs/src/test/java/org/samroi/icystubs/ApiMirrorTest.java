package org.samroi.icystubs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.samroi.icystubs.fixtures.WrongDataType;
import org.samroi.icystubs.fixtures.WrongDialog;
import org.samroi.icystubs.fixtures.WrongEzPlugVariable;
import org.samroi.icystubs.fixtures.WrongImage;
import org.samroi.icystubs.fixtures.WrongListener;
import org.samroi.icystubs.fixtures.WrongPolygon;
import org.samroi.icystubs.fixtures.WrongRectangle;
import org.samroi.icystubs.fixtures.WrongSequence;

/**
 * The build check: every class and member of the Icy mirror must be declared in
 * ../shared/icy/API.md with the same signature, so that the mirror cannot drift from the
 * verified Icy 2.5 API. The second half proves the check fails on drift.
 */
class ApiMirrorTest {

    private static ApiDoc doc;

    @BeforeAll
    static void readApi() throws IOException {
        Path api = apiFile();
        if (!Files.isRegularFile(api)) {
            fail("API.md not found at " + api + ": the Icy mirror cannot be checked. Put the shared folder beside the "
                    + "repository or pass -Dsamroi.shared=/path/to/shared.");
        }
        doc = ApiDoc.parse(new String(Files.readAllBytes(api), StandardCharsets.UTF_8));
    }

    static Path apiFile() {
        return Paths.get(System.getProperty("samroi.shared", "../../../shared")).resolve("icy").resolve("API.md");
    }

    @Test
    void everyMirrorClassAndMemberIsDeclaredInApiMd() throws Exception {
        List<Class<?>> classes = mirrorClasses();
        assertTrue(classes.size() >= 40, "mirror classes found: " + classes);
        ApiMirrorCheck check = new ApiMirrorCheck(doc).checkAll(classes);
        if (!check.problems().isEmpty()) {
            fail("The Icy mirror (java/icy-stubs) differs from API.md:\n  " + String.join("\n  ", check.problems()));
        }
        // Said out loud so that nobody mistakes it for a verified signature.
        assertEquals(new java.util.TreeSet<>(Arrays.asList(
                "plugins.adufour.blocks.util.VarList.add(String,Var<?>) (API.md gives no return type)")), check.unverified());
        System.out.println("Icy mirror: " + classes.size() + " classes agree with API.md; unverified: " + check.unverified());
    }

    @Test
    void readsTheDocumentsNotations() {
        ApiDoc.TypeDecl sequence = doc.type("icy.sequence.Sequence");
        assertEquals("class", sequence.kind);
        assertTrue(sequence.interfaces.contains("ROIListener"), sequence.interfaces.toString());
        assertTrue(has(sequence, "public ArrayList<ROI> getROIs()"));
        assertTrue(has(sequence, "public List<ROI> getROIs(boolean)"));
        assertTrue(has(sequence, "public <T extends ROI> List<T> getROIs(Class<T>,boolean)"));
        assertTrue(has(sequence, "public double getPixelSizeZ()"), "shorthand 'getPixelSizeY(); getPixelSizeZ()'");
        assertTrue(has(sequence, "public void setImage(int,int,BufferedImage) throws IllegalArgumentException"));
        assertTrue(has(doc.type("icy.image.IcyBufferedImage"), "public short[] getDataXYAsShort(int)"));
        ApiDoc.TypeDecl point = doc.type("icy.type.point.Point5D.Double");
        assertEquals("Point5D", point.superclass);
        assertTrue(point.modifiers.contains("static"));
        assertTrue(has(point, "public double t"));
        assertTrue(has(doc.type("icy.type.point.Point5D"), "public abstract void setC(double)"));
        assertTrue(has(doc.type("icy.gui.dialog.MessageDialog"), "public static final int PLAIN_MESSAGE = -1"));
        assertTrue(has(doc.type("icy.gui.dialog.MessageDialog"), "public static void showDialog(String,String,int)"),
                "a list continued on the next line keeps its modifiers and return type");
        assertTrue(has(doc.type("icy.roi.ROI"), "public static final String PROPERTY_READONLY = \"readOnly\""));
        assertEquals(Arrays.asList("CHANGED", "ADDED", "REMOVED"), doc.type("icy.sequence.SequenceEvent.SequenceEventType").enumConstants);
        assertEquals(11, doc.type("icy.type.DataType").enumConstants.size());
        assertEquals(21, doc.type("icy.painter.Overlay.OverlayPriority").enumConstants.size());
        ApiDoc.TypeDecl threaded = doc.type("icy.plugin.interface_.PluginThreaded");
        assertEquals("interface", threaded.kind);
        assertEquals(Arrays.asList("Runnable", "PluginStartAsThread"), threaded.interfaces);
        assertEquals("interface", doc.type("icy.plugin.interface_.PluginImporter").kind, "two interfaces in one table cell");
        ApiDoc.TypeDecl active = doc.type("icy.gui.main.ActiveSequenceListener");
        assertEquals("interface", active.kind);
        assertEquals(Arrays.asList("EventListener"), active.interfaces);
        assertTrue(has(doc.type("plugins.adufour.ezplug.EzVarInteger"), "public EzVarInteger(String,int,int,int)"),
                "'(String, int min, int max, int step)' in a class's braces is a constructor");
        ApiDoc.TypeDecl varArray = doc.type("plugins.adufour.vars.lang.VarArray");
        assertEquals("VarGenericArray<T[]>", varArray.superclass);
        assertTrue(has(varArray, "public void add(T[])"), "varargs are arrays");
        assertTrue(doc.type("plugins.adufour.vars.lang.VarGenericArray").supertypeOnly);
        assertEquals("interface", doc.type("plugins.adufour.vars.util.VarListener").kind);
        assertTrue(has(doc.type("plugins.adufour.blocks.lang.Block"), "public void declareInput(VarList)"));
        assertTrue(has(doc.type("icy.system.thread.ThreadUtil"), "public static <T> T invokeNow(Callable<T>) throws Exception"));
        assertTrue(has(doc.type("icy.canvas.Layer"), "public Overlay getOverlay()"), "a class named mid-line");
        assertFalse(has(doc.type("icy.canvas.IcyCanvas2D"), "public Overlay getOverlay()"));
        assertNotNull(doc.type("icy.file.Loader"));
    }

    /** The check fails on each kind of drift, against the real API.md. */
    @Test
    void theCheckCatchesDrift() {
        List<String> p = problems(WrongSequence.class, "icy.sequence.Sequence");
        assertHas(p, "icy.sequence.Sequence.getROIs(): returns List<ROI>");
        assertHas(p, "icy.sequence.Sequence.getName(): static");
        assertHas(p, "icy.sequence.Sequence.addROI(ROI): throws [IOException]");
        assertHas(p, "icy.sequence.Sequence.saveEverything(): not in API.md");
        assertEquals(4, p.size(), p.toString());

        p = problems(WrongPolygon.class, "plugins.kernel.roi.roi2d.ROI2DPolygon");
        assertHas(p, "plugins.kernel.roi.roi2d.ROI2DPolygon: extends ROI2D, API.md: ROI2DShape");
        assertHas(p, "plugins.kernel.roi.roi2d.ROI2DPolygon.ROI2DPolygon(List<Point2D.Double>): not in API.md");

        p = problems(WrongDataType.class, "icy.type.DataType");
        assertHas(p, "icy.type.DataType: constants [BYTE, UBYTE");

        p = problems(WrongDialog.class, "icy.gui.dialog.MessageDialog");
        assertHas(p, "icy.gui.dialog.MessageDialog.ERROR_MESSAGE: value 1");
        assertEquals(1, p.size(), "WARNING_MESSAGE = 2, showDialog and the implicit constructor are right: " + p);

        p = problems(WrongImage.class, "icy.image.IcyBufferedImage");
        assertHas(p, "icy.image.IcyBufferedImage.IcyBufferedImage(): not in API.md");
        assertHas(p, "icy.image.IcyBufferedImage.getDataXY(int): returns byte[]");

        p = problems(WrongListener.class, "icy.sequence.SequenceListener");
        assertHas(p, "icy.sequence.SequenceListener.sequenceChanged(Object): not in API.md");

        p = problems(WrongRectangle.class, "plugins.kernel.roi.roi2d.ROI2DRectangle");
        assertHas(p, "plugins.kernel.roi.roi2d.ROI2DRectangle.getRectangle(): final");
        assertEquals(1, p.size(), p.toString());

        p = problems(WrongEzPlugVariable.class, "plugins.adufour.vars.lang.VarString");
        assertHas(p, "plugins.adufour.vars.lang.VarString: extends Object, API.md: Var<String>");
        assertHas(p, "plugins.adufour.vars.lang.VarString.NO_SEQUENCE: field not in API.md");

        p = problems(WrongSequence.class, "icy.sequence.NoSuchClass");
        assertEquals(Arrays.asList("icy.sequence.NoSuchClass: the class is not in API.md"), p);
    }

    private static List<String> problems(Class<?> c, String asName) {
        return new ApiMirrorCheck(doc).check(c, asName).problems();
    }

    private static void assertHas(List<String> problems, String start) {
        for (String p : problems) {
            if (p.startsWith(start)) return;
        }
        fail("no problem starting with '" + start + "' in:\n  " + String.join("\n  ", problems));
    }

    private static boolean has(ApiDoc.TypeDecl t, String member) {
        assertNotNull(t);
        for (ApiDoc.Member m : t.members) {
            if (m.toString().equals(member)) return true;
        }
        return false;
    }

    /** The compiled mirror classes (this module's main output). */
    static List<Class<?>> mirrorClasses() throws IOException, ClassNotFoundException {
        Path root = Paths.get(System.getProperty("samroi.stubs.classes", "target/classes"));
        List<Class<?>> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList());
        }
        for (Path f : files) {
            String name = root.relativize(f).toString().replace(java.io.File.separatorChar, '.');
            out.add(Class.forName(name.substring(0, name.length() - ".class".length()), false,
                    ApiMirrorTest.class.getClassLoader()));
        }
        return out;
    }
}
