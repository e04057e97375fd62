using System.Formats.Tar;
using Dkms.Core.Conf;
using Dkms.Core.Validation;

namespace Dkms.Core.Artifacts;

/// <summary>
/// The artifact's one layer: the unsigned, uncompressed modules as make left them (under <c>build/</c>, at their
/// BUILT_MODULE_LOCATION), the module's Module.symvers and <c>log/make.log</c>. Deterministic: ustar, sorted names,
/// mtime 0, root-owned, mode 0644. Extraction accepts exactly the files the dkms.conf names, nothing else.
/// </summary>
internal static class ModuleTar
{
    private const string LogName = "log/make.log";
    private const string SymversName = "build/Module.symvers";
    private const long MaxEntry = 1L << 30;

    /// <summary>Writes the tar of <paramref name="build"/>'s modules and <paramref name="makeLog"/> to <paramref name="tarPath"/>.</summary>
    public static void Write(DkmsConf conf, string build, string makeLog, string tarPath)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in conf.Modules)
        {
            entries["build/" + ModulePath(spec)] = Path.Combine(build, ModulePath(spec));
        }

        if (File.Exists(Path.Combine(build, "Module.symvers")))
        {
            entries[SymversName] = Path.Combine(build, "Module.symvers");
        }

        entries[LogName] = makeLog;
        using var file = new FileStream(tarPath, FileMode.CreateNew, FileAccess.Write);
        using (var tar = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, source) in entries)
            {
                using var data = File.OpenRead(source);
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    ModificationTime = DateTimeOffset.UnixEpoch,
                    Mode = (UnixFileMode)Convert.ToInt32("644", 8),
                    Uid = 0,
                    Gid = 0,
                    DataStream = data,
                };
                tar.WriteEntry(entry);
            }
        }

        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Puts the modules back in <paramref name="build"/> (as make would have left them) and the log at
    /// <paramref name="makeLog"/>; refuses a tar that holds anything else, misses a module, or repeats a name.
    /// </summary>
    public static void Extract(string tarPath, DkmsConf conf, string build, string makeLog)
    {
        var expected = conf.Modules.ToDictionary(s => "build/" + ModulePath(s), s => PathGuard.Inside(build, ModulePath(s), "BUILT_MODULE_LOCATION"),
            StringComparer.Ordinal);
        expected[SymversName] = Path.Combine(build, "Module.symvers");
        expected[LogName] = makeLog;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var file = File.OpenRead(tarPath);
        using var tar = new TarReader(file);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                || !expected.TryGetValue(entry.Name, out var target) || !seen.Add(entry.Name) || entry.Length > MaxEntry)
            {
                throw new InvalidDataException($"The artifact holds an unexpected entry '{entry.Name}' ({entry.EntryType}).");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var output = new FileStream(target, FileMode.Create, FileAccess.Write);
            entry.DataStream?.CopyTo(output);
        }

        foreach (var name in expected.Keys.Where(n => n != SymversName))
        {
            if (!seen.Contains(name))
            {
                throw new InvalidDataException($"The artifact lacks '{name}'.");
            }
        }
    }

    private static string ModulePath(ModuleSpec spec) => spec.BuiltLocation + spec.BuiltName + ".ko";
}
