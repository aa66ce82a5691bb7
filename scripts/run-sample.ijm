// The main job as an ImageJ macro: segment the 10 sample nuclei of data/sample with
// EfficientSAM-Ti through the samroi plugin, then save the ROIs and a picture of them.
// scripts/run-sample.sh runs it in plain ImageJ:  ij.jar -batch run-sample.ijm "REPO|OUT|CHECKPOINT"
// (CHECKPOINT "-" = the installed official weights).
args = split(getArgument(), "|");
if (args.length != 3) exit("usage: -batch run-sample.ijm \"REPO|OUT|CHECKPOINT\"");
repo = args[0];
out = args[1];
checkpoint = args[2];
if (checkpoint == "-") checkpoint = "";

open(repo + "/data/sample/nuclei.tif");
// prompts.csv: a header "prompt,x0,y0,x1,y1" and one box per row (inclusive corner pixels).
lines = split(File.openAsString(repo + "/data/sample/prompts.csv"), "\n");
for (i = 0; i < lines.length; i++) {
	line = replace(lines[i], "\r", "");
	if (line == "" || startsWith(line, "#") || startsWith(line, "prompt,")) continue;
	f = split(line, ",");
	x0 = parseInt(f[1]); y0 = parseInt(f[2]); x1 = parseInt(f[3]); y1 = parseInt(f[4]);
	makeRectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
	roiManager("add");
}
run("Select None");
// One object per rectangle of the ROI Manager; the prompt rectangles are removed afterwards.
run("Batch from ROIs", "model=efficientsam-ti checkpoint=[" + checkpoint + "] from=[ROI Manager] remove");
n = roiManager("count");
roiManager("save", out + "/sample_rois.zip");

roiManager("Deselect");
roiManager("Set Color", "yellow");
run("From ROI Manager");
run("Flatten");
saveAs("PNG", out + "/sample_overlay.png");
print("run-sample: " + n + " ROIs");
