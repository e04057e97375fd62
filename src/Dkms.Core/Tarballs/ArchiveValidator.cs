using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Dkms.Core.Errors;
using Dkms.Core.Validation;

namespace Dkms.Core.Tarballs;

/// <summary>
/// Reads every entry of a (compressed) tar archive before anything is extracted and refuses the archive
/// when one could write outside the extraction directory: an absolute name, a <c>..</c> component, a
/// symbolic or hard link leading out, or a device or FIFO.
/// </summary>
public static class ArchiveValidator
{
    /// <summary>Throws exit 7 naming the first bad entry; returns the entry names otherwise.</summary>
    /// <param name="shownAs">The name used in messages (the user's path when a private copy is checked).</param>
    public static async Task<IReadOnlyList<string>> ValidateAsync(string archive, string? shownAs = null, CancellationToken ct = default)
    {
        var file = archive;
        archive = shownAs ?? archive;
        var names = new List<string>();
        var links = new List<(string Entry, string Target)>();
        await using var input = await OpenDecompressedAsync(file, ct).ConfigureAwait(false);
        try
        {
            using var reader = new TarReader(input.Stream, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
            {
                var name = Normalise(entry.Name, archive);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                    case TarEntryType.RegularFile:
                    case TarEntryType.V7RegularFile:
                    case TarEntryType.ContiguousFile:
                        break;
                    case TarEntryType.SymbolicLink:
                        if (Path.IsPathRooted(entry.LinkName))
                        {
                            throw Refuse(archive, entry.Name, $"is a link to the absolute path {entry.LinkName}");
                        }

                        // Checked lexically, a chain (s -> ., f -> s/s/../..) could still climb out: no '..' at all.
                        if (entry.LinkName.Split('/').Contains(".."))
                        {
                            throw Refuse(archive, entry.Name, $"is a link through '..' ({entry.LinkName})");
                        }

                        if (name.StartsWith("dkms_main_tree/", StringComparison.Ordinal))
                        {
                            throw Refuse(archive, entry.Name, "is a link among the built modules");
                        }

                        links.Add((name, Path.Combine(Path.GetDirectoryName(name) ?? string.Empty, entry.LinkName)));
                        break;
                    case TarEntryType.HardLink:
                        links.Add((name, entry.LinkName));
                        break;
                    default:
                        throw Refuse(archive, entry.Name, $"is a {entry.EntryType} entry");
                }

                names.Add(name);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadBuildResult, $"{archive} is not a valid tar archive: {e.Message}");
        }

        await input.CompleteAsync(archive, ct).ConfigureAwait(false);
        foreach (var (entry, target) in links)
        {
            var full = Path.GetFullPath(Path.Combine("/x", target));
            if (!PathGuard.IsWithin("/x", full))
            {
                throw Refuse(archive, entry, $"links to {target}, outside the archive");
            }
        }

        // A link to a directory, then an entry "through" it, is how archives escape: refuse entries below links.
        var linkNames = links.Select(l => l.Entry + "/").ToList();
        foreach (var name in names)
        {
            if (linkNames.Any(l => name.StartsWith(l, StringComparison.Ordinal)))
            {
                throw Refuse(archive, name, "lies below a link");
            }
        }

        return names;
    }

    private static string Normalise(string name, string archive)
    {
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            throw Refuse(archive, name, "has an empty or unprintable name");
        }

        if (name.StartsWith('/'))
        {
            throw Refuse(archive, name, "has an absolute name");
        }

        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            throw Refuse(archive, name, "has a '..' component");
        }

        return string.Join('/', parts);
    }

    private static DkmsException Refuse(string archive, string entry, string why) =>
        new(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadBuildResult, $"Refusing {archive}: entry '{NameValidator.Printable(entry)}' {why}.",
            "Nothing was extracted or written.");

    /// <summary>The archive's tar stream: gzip in process, xz/zstd/bzip2 through their tools.</summary>
    private static async Task<Decompressed> OpenDecompressedAsync(string archive, CancellationToken ct)
    {
        var magic = new byte[6];
        await using (var probe = File.OpenRead(archive))
        {
            _ = await probe.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        }

        string? tool = magic switch
        {
            [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00] => "xz",
            [0x28, 0xB5, 0x2F, 0xFD, ..] => "zstd",
            [0x42, 0x5A, 0x68, ..] => "bzip2",
            _ => null,
        };
        if (tool is null)
        {
            var file = File.OpenRead(archive);
            return magic is [0x1F, 0x8B, ..] ? new Decompressed(new GZipStream(file, CompressionMode.Decompress), null) : new Decompressed(file, null);
        }

        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-dc");
        psi.ArgumentList.Add(archive);
        var process = Process.Start(psi)!;
        return new Decompressed(process.StandardOutput.BaseStream, process);
    }

    private sealed class Decompressed(Stream stream, Process? process) : IAsyncDisposable
    {
        public Stream Stream { get; } = stream;

        public async Task CompleteAsync(string archive, CancellationToken ct)
        {
            if (process is null)
            {
                return;
            }

            await Stream.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadBuildResult, $"{archive} could not be decompressed.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
            if (process is not null)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }
        }
    }
}
