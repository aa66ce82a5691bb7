package org.samroi.icy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.samroi.icy.logic.AtomicFiles;
import org.samroi.icy.logic.LabelImage;
import org.samroi.icy.logic.LabelTiff;
import org.samroi.icy.logic.Plane;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import icy.roi.ROI;

/** The files a batch run writes, each whole or not at all. */
final class BatchOutputs {

    private BatchOutputs() {
    }

    /**
     * The ROIs as Icy ROI XML: Icy's own ROI.saveROIsToXML under a {@code <root>} element, the
     * layout of Icy's ROI files (load them with Icy's ROI import).
     */
    static void writeRois(Path file, List<ROI> rois) throws IOException {
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            Element root = doc.createElement("root");
            doc.appendChild(root);
            ROI.saveROIsToXML(root, new ArrayList<>(rois));
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.INDENT, "yes");
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            t.transform(new DOMSource(doc), new StreamResult(out));
            AtomicFiles.write(file, out.toByteArray());
        } catch (ParserConfigurationException | TransformerException e) {
            throw new IOException("cannot write the ROI file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The label image of the results: one uint16 page per plane of the sequence (object k = label k). */
    static void writeLabels(Path file, List<SequenceSegmenter.Result> results, int width, int height, int sizeZ,
            int sizeT) throws IOException {
        // Planes without objects share one empty plane: a tall stack with a few objects stays small in memory.
        LabelImage empty = new LabelImage(width, height);
        List<LabelImage> planes = new ArrayList<>();
        for (int i = 0; i < sizeZ * sizeT; i++) planes.add(empty);
        for (SequenceSegmenter.Result r : results) {
            if (r.object.isEmpty()) continue;
            if (r.number > LabelImage.MAX_LABEL) {
                throw new IOException(results.size() + " objects do not fit a uint16 label image (at most "
                        + LabelImage.MAX_LABEL + "); use labels=none");
            }
            Plane p = r.prompt.plane();
            int index = p.t() * sizeZ + p.z();
            if (planes.get(index) == empty) planes.set(index, new LabelImage(width, height));
            planes.get(index).paint(r.object.shapes(), r.number);
        }
        LabelTiff.write(file, planes, sizeZ, sizeT);
    }
}
