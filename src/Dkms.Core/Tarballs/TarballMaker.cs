using Dkms.Core.Actions;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Processes;
using Dkms.Core.Tree;

namespace Dkms.Core.Tarballs;

/// <summary>
/// mktarball's archive in dkms's layout: <c>dkms_main_tree/k/a/…</c> (the builds) plus <c>dkms_source_tree/</c> (the
/// source) or <c>dkms_binaries_only/</c> (name, version and dkms.conf only).
/// </summary>
internal sealed class TarballMaker(DkmsTree tree, DkmsOutput output, BuildLog log)
{
    public const string MainTree = "dkms_main_tree";
    public const string SourceTreeDir = "dkms_source_tree";
    public const string BinariesOnlyDir = "dkms_binaries_only";

    private DkmsMessages M => output.Messages;

    /// <summary>Writes the archive of m/v (added) for <paramref name="targets"/>; returns its path.</summary>
    public async Task<string> MakeAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, string? archive, bool sourceOnly,
        bool binariesOnly, CancellationToken ct)
    {
        var (m, v) = (mv.Module, mv.Version);
        var temp = Directory.CreateTempSubdirectory("dkms.").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(temp, MainTree));
            var names = new List<string>();
            if (!sourceOnly)
            {
                foreach (var t in targets)
                {
                    var built = tree.BuiltDir(m, v, t.Kernel, t.Arch);
                    if (!Directory.Exists(built))
                    {
                        throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.InstallFailed, M.NotBuiltForTarball(t));
                    }

                    output.Line(M.MarkingModules(t));
                    names.Add($"kernel{t.Kernel}-{t.Arch}");
                    Directory.CreateDirectory(Path.Combine(temp, MainTree, t.Kernel));
                    await log.RunToolAsync("cp", ["-a", built, Path.Combine(temp, MainTree, t.Kernel, t.Arch)], "Copying the build failed", DkmsExitCode.InstallFailed, ct)
                        .ConfigureAwait(false);
                }
            }

            var source = tree.SourceLink(m, v);
            if (binariesOnly)
            {
                M.BinariesOnlyTarball(output);
                var dir = Path.Combine(temp, BinariesOnlyDir);
                Directory.CreateDirectory(dir);
                await File.WriteAllTextAsync(Path.Combine(dir, "PACKAGE_NAME"), m + "\n", ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(dir, "PACKAGE_VERSION"), v + "\n", ct).ConfigureAwait(false);
                File.Copy(Path.Combine(source, "dkms.conf"), Path.Combine(dir, "dkms.conf"));
            }
            else
            {
                M.MarkingSource(output, source);
                Directory.CreateDirectory(Path.Combine(temp, SourceTreeDir));
                await log.RunToolAsync("cp", ["-a", source + "/.", Path.Combine(temp, SourceTreeDir) + "/"], "Copying the source failed", DkmsExitCode.InstallFailed, ct)
                    .ConfigureAwait(false);
            }

            // dkms counts `echo $list | wc -m`: the list and its newline.
            var list = sourceOnly ? "source-only" : string.Join('-', names);
            if (list.Length + 1 > 200)
            {
                list = "manykernels";
            }

            var name = $"{m}-{v}-{list}.dkms.tar.gz";
            var dest = Path.Combine(tree.VersionDir(m, v), "tarball");
            var shown = dest + "/"; // dkms's $tarball_dest, spelt as dkms spells it
            if (archive is not null)
            {
                name = Path.GetFileName(archive);
                if (name.Length == 0)
                {
                    throw new DkmsException(DkmsErrorKind.InvalidArgument, DkmsExitCode.BadArgument, M.ArchiveIsDirectory(archive));
                }

                if (archive.Contains('/', StringComparison.Ordinal))
                {
                    shown = archive[..archive.LastIndexOf('/')];
                    dest = Path.GetDirectoryName(Path.GetFullPath(archive))!;
                }
            }

            M.TarballLocation(output, shown, name);
            try
            {
                Directory.CreateDirectory(dest);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DkmsException(DkmsErrorKind.PermissionDenied, DkmsExitCode.CopyFailed, M.NoWritePermission(shown));
            }

            // Written under a temporary name (same extension, so tar picks the same compression), then renamed.
            var partial = Path.Combine(dest, $".partial-{Environment.ProcessId}-{name}");
            try
            {
                await log.RunToolAsync("tar", ["-C", temp, "-caf", partial, "."], "tar", DkmsExitCode.InstallFailed, ct).ConfigureAwait(false);
            }
            catch (DkmsException e)
            {
                throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.InstallFailed, M.TarballFailed(e.Message));
            }

            AtomicFiles.Commit(partial, Path.Combine(dest, name));
            return Path.Combine(dest, name);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
