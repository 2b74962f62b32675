package org.visionstream.jobs.detection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/**
 * Where the job keeps its checkpoints and savepoints, and what a new start of the job resumes from.
 *
 * <p>Layout under the checkpoint directory (Flink's own): {@code <job id>/chk-<n>/_metadata} for
 * retained checkpoints, {@code savepoints/savepoint-<...>/_metadata} for savepoints. A checkpoint or
 * savepoint is complete once its {@code _metadata} file exists (Flink writes it last).
 */
public final class JobCheckpoints {

    /** The savepoint folder inside the checkpoint directory. */
    public static final String SAVEPOINTS = "savepoints";

    private static final String METADATA = "_metadata";
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*");

    private JobCheckpoints() {}

    /** {@code location} as a URI: kept when it has a scheme, an absolute {@code file:} URI otherwise. */
    static String uri(String location) {
        String s = location.trim();
        if (SCHEME.matcher(s).matches()) {
            return s;
        }
        String uri = Path.of(s).toAbsolutePath().normalize().toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /**
     * Checkpoint storage, retention and restore settings for the job: checkpoints kept on cancel and on
     * failure, so that a later start can resume from them; an explicit savepoint first, else the
     * newest complete checkpoint or savepoint under the checkpoint directory, unless the environment
     * already names one (e.g. {@code flink run -s}, or the Kubernetes operator).
     *
     * @return the restore path chosen, or empty when the job starts from the frames topic's committed offsets
     */
    static Optional<String> configure(Configuration conf, DetectionJobOptions o, Optional<String> restoreGivenByEnvironment) {
        if (o.checkpointDir() != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, o.checkpointDir());
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, o.checkpointDir() + "/" + SAVEPOINTS);
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        if (o.fromSavepoint() != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, o.fromSavepoint());
            // The user's savepoint stays theirs: the job never deletes it.
            conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
            return Optional.of(o.fromSavepoint());
        }
        if (restoreGivenByEnvironment.isPresent() || o.checkpointDir() == null) {
            return restoreGivenByEnvironment;
        }
        Optional<String> newest = newest(o.checkpointDir());
        newest.ifPresent(path -> {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path);
            // The job owns what is under its checkpoint directory: once the restored job has checkpointed
            // past it, Flink may delete it, so old runs do not pile up.
            conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        });
        return newest;
    }

    /** The newest complete checkpoint or savepoint under {@code checkpointDir}, by its metadata's time. */
    public static Optional<String> newest(String checkpointDir) {
        try {
            org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(URI.create(checkpointDir));
            FileSystem fs = root.getFileSystem();
            if (!fs.exists(root)) {
                return Optional.empty();
            }
            FileStatus best = null;
            for (FileStatus top : list(fs, root)) {
                if (!top.isDir()) {
                    continue;
                }
                String name = top.getPath().getName();
                for (FileStatus candidate : list(fs, top.getPath())) {
                    String child = candidate.getPath().getName();
                    boolean point = name.equals(SAVEPOINTS) ? child.startsWith("savepoint-") : child.startsWith("chk-");
                    if (!candidate.isDir() || !point) {
                        continue;
                    }
                    org.apache.flink.core.fs.Path metadata = new org.apache.flink.core.fs.Path(candidate.getPath(), METADATA);
                    if (fs.exists(metadata)) {
                        FileStatus status = fs.getFileStatus(metadata);
                        if (best == null || status.getModificationTime() > best.getModificationTime()) {
                            best = status;
                        }
                    }
                }
            }
            return best == null ? Optional.empty() : Optional.of(best.getPath().getParent().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints under " + checkpointDir, e);
        }
    }

    private static FileStatus[] list(FileSystem fs, org.apache.flink.core.fs.Path dir) throws IOException {
        FileStatus[] children = fs.listStatus(dir);
        return children == null ? new FileStatus[0] : children;
    }
}
