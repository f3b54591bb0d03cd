package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FolderLock}: one writer per folder, across processes and within one JVM; a killed holder blocks nothing; what
 * a killed writer left is removed under the lock.
 */
class FolderLockTest {
    @TempDir Path tmp;

    /** In a child JVM: {@code hold DIR} locks DIR, prints "locked" and waits; {@code try DIR} prints "locked" or "busy". */
    public static void main(String[] args) throws Exception {
        try (FolderLock lock = FolderLock.acquire(Path.of(args[1]), "--out")) {
            System.out.println("locked");
            if (args[0].equals("hold")) System.in.read();
        } catch (UserError e) {
            System.out.println("busy");
        }
    }

    private static Process child(String mode, Path dir) throws Exception {
        return new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp", System.getProperty("java.class.path"), FolderLockTest.class.getName(), mode, dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** Exit 2 and exactly one error line after the kernels line: the folder and "another … is writing". */
    private static void refusedAsBusy(Path out, String... args) {
        DetectCommandTest.Run r = DetectCommandTest.run(args);
        assertEquals(2, r.exit(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, r.err().lines().filter(l -> !l.startsWith("slice: ") && !l.startsWith("warning: ")).count(), r.err());
        assertEquals("error: " + out + ": another train, enroll, forget or serve is writing into this folder now (it holds "
                + FolderLock.FILE + "); wait for it to finish or choose another folder", errors.get(0));
    }

    @Test
    void writersAreRefusedWhileAnotherProcessHoldsTheFolderAndAKilledHolderBlocksNothing() throws Exception {
        Path out = tmp.resolve("out");
        Process holder = child("hold", out);
        try {
            assertEquals("locked", firstLine(holder));
            refusedAsBusy(out, "train", "--data", tmp.resolve("faces").toString(), "--faces", "whole", "--out", out.toString());
            refusedAsBusy(out, "forget", "--model", out.toString(), "Zoë");
            refusedAsBusy(out, "enroll", "--model", out.toString(), "--person", "Zoë", tmp.resolve("zoe.jpg").toString());
        } finally {
            holder.destroyForcibly();   // SIGKILL: no shutdown hook, no close()
            holder.waitFor();
        }
        assertTrue(Files.exists(out.resolve(FolderLock.FILE)), "the killed holder's lock file is left behind");
        try (FolderLock lock = FolderLock.acquire(out, "--out")) {
            assertTrue(lock != null);
        }
        DetectCommandTest.Run r = DetectCommandTest.run("forget", "--model", out.toString(), "Zoë");
        assertTrue(r.err().contains("no gallery here"), "past the lock now: " + r.err());
    }

    @Test
    void aSecondLockInTheSameJvmIsRefusedAndLeavesTheFirstHeld() throws Exception {
        Path out = tmp.resolve("out");
        try (FolderLock first = FolderLock.acquire(out, "--out")) {
            UserError e = assertThrows(UserError.class, () -> FolderLock.acquire(out, "--out"));
            assertTrue(e.getMessage().startsWith(out + ": another train"), e.getMessage());
            assertThrows(UserError.class, () -> FolderLock.acquire(tmp.resolve("out/../out"), "--out"), "the same folder by another path");
            Process other = child("try", out);
            assertEquals("busy", firstLine(other), "the refused second lock did not release the first at the OS level");
            other.waitFor();
        }
        Process after = child("try", out);
        assertEquals("locked", firstLine(after));
        after.waitFor();
    }

    @Test
    void whatAKilledRunLeftIsRemovedByTheNextRunButNothingElse() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path checkpointTemp = Files.writeString(out.resolve(".checkpoint.safetensors.slice6190244021386413857.tmp"), "half a checkpoint");
        Files.setLastModifiedTime(checkpointTemp, FileTime.from(Instant.now().minusSeconds(3600)));
        Path stagedTensors = Files.writeString(out.resolve(".model.safetensors.next"), "a save stopped before its renames");
        Path stagedSidecar = Files.writeString(out.resolve(".model.json.next"), "{}");
        Path users = Files.writeString(out.resolve("notes.tmp"), "the user's");
        DetectCommandTest.Run r = DetectCommandTest.run("train", "--data", tmp.resolve("missing").toString(), "--faces", "whole",
                "--out", out.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("warning: removed 1 temporary file an interrupted run left in " + out.toRealPath() + ": "
                + checkpointTemp.getFileName()), r.err());
        assertTrue(r.err().contains("error: data folder " + tmp.resolve("missing")), "the run went on: " + r.err());
        for (Path gone : List.of(checkpointTemp, stagedTensors, stagedSidecar)) assertFalse(Files.exists(gone), gone.toString());
        assertTrue(Files.exists(users));
    }

    @Test
    void anOutThatIsAFileIsRefusedBeforeAnyWork() throws Exception {
        Path file = Files.writeString(tmp.resolve("model"), "not a folder");
        DetectCommandTest.Run r = DetectCommandTest.run("train", "--data", tmp.toString(), "--out", file.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("error: " + file + ": exists and is not a folder (--out names a folder to write into)"), r.err());
    }
}
