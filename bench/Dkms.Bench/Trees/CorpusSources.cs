using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Trees;

/// <summary>One Debian *-dkms package of /work/shared/CORPUS.md, unpacked.</summary>
internal sealed record CorpusModule(string Package, string SourceDir, string Name, string Version)
{
    public string Ref => $"{Name}/{Version}";
}

/// <summary>
/// The public corpus: the .debs of the conformance test's cache (fetched with <c>apt-get download</c> when
/// missing), unpacked once with <c>dpkg -x</c> (no maintainer script runs), and added to fresh trees.
/// </summary>
internal static class CorpusSources
{
    /// <summary>Package → module name (as in tests/Dkms.Conformance.Tests/Corpus/ExpectedCorpus.cs).</summary>
    public static readonly IReadOnlyList<(string Package, string Module)> Packages =
    [
        ("acpi-call-dkms", "acpi-call"), ("adv-17v35x-dkms", "adv-17v35x"), ("bbswitch-dkms", "bbswitch"), ("ddcci-dkms", "ddcci"),
        ("dm-writeboost-dkms", "dm-writeboost"), ("dpdk-kmods-dkms", "dpdk-kmods"), ("jool-dkms", "jool-dkms"),
        ("langford-dkms", "langford"), ("librem-ec-acpi-dkms", "librem_ec_acpi"), ("nat-rtsp-dkms", "nat-rtsp"),
        ("v4l2loopback-dkms", "v4l2loopback"), ("vpoll-dkms", "vpoll"), ("lttng-modules-dkms", "lttng-modules"),
    ];

    public static async Task<IReadOnlyList<CorpusModule>> UnpackAsync(BenchOptions o, string root)
    {
        Directory.CreateDirectory(o.CorpusCache);
        var modules = new List<CorpusModule>();
        foreach (var (package, name) in Packages)
        {
            var deb = Directory.GetFiles(o.CorpusCache, package + "_*.deb").OrderDescending(StringComparer.Ordinal).FirstOrDefault();
            if (deb is null)
            {
                (await Proc.RunAsync("apt-get", ["download", package], workingDir: o.CorpusCache)).Checked($"apt-get download {package}");
                deb = Directory.GetFiles(o.CorpusCache, package + "_*.deb").Single();
            }

            var to = Directory.CreateDirectory(Path.Combine(root, package)).FullName;
            (await Proc.RunAsync("dpkg", ["-x", deb, to])).Checked($"dpkg -x {deb}");
            var src = Directory.GetDirectories(Path.Combine(to, "usr", "src")).Single(d => File.Exists(Path.Combine(d, "dkms.conf")));
            var version = Path.GetFileName(src)[(name.Length + 1)..]; // PACKAGE_VERSION is often computed; the directory is <name>-<version>
            modules.Add(new CorpusModule(package, src, name, version));
        }

        return modules;
    }

    /// <summary>Copies the sources into <paramref name="t"/> and adds them with dkmsctl --offline.</summary>
    public static async Task AddAsync(BenchOptions o, BenchTrees t, IEnumerable<CorpusModule> modules)
    {
        foreach (var m in modules)
        {
            await TreeCopy.CopyAsync(m.SourceDir, Path.Combine(t.SourceTree, Path.GetFileName(m.SourceDir)));
            var cmd = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsctl, "--offline", .. t.TreeArgs, "add", m.Ref]);
            (await Proc.RunAsync(cmd[0], cmd[1..])).Checked($"dkmsctl --offline add {m.Ref}");
        }
    }
}

/// <summary>Small stand-ins for the corpus in smoke mode: copies of examples/hello-dkms-1.0 under other names.</summary>
internal static class ExampleModules
{
    public static IReadOnlyList<CorpusModule> Create(BenchOptions o, string root, int count)
    {
        var from = Path.Combine(o.RepositoryRoot, "examples", "hello-dkms-1.0");
        var conf = File.ReadAllText(Path.Combine(from, "dkms.conf"));
        var modules = new List<CorpusModule>();
        for (var i = 0; i < count; i++)
        {
            var name = $"hello-{(char)('a' + i)}";
            var ko = name.Replace('-', '_');
            var dir = Directory.CreateDirectory(Path.Combine(root, name + "-1.0")).FullName;
            File.WriteAllText(Path.Combine(dir, "Makefile"), $"obj-m := {ko}.o\n");
            File.Copy(Path.Combine(from, "hello_dkms.c"), Path.Combine(dir, ko + ".c"));
            File.WriteAllText(Path.Combine(dir, "dkms.conf"), conf
                .Replace("\"hello-dkms\"", $"\"{name}\"", StringComparison.Ordinal)
                .Replace("\"hello_dkms\"", $"\"{ko}\"", StringComparison.Ordinal));
            modules.Add(new CorpusModule("examples/hello-dkms-1.0", dir, name, "1.0"));
        }

        return modules;
    }
}
