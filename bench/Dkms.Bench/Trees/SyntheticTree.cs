using System.Globalization;
using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Trees;

/// <summary>
/// Generates dkms trees of N small modules installed on K kernels, laid out as dkms and dkmsctl lay them out
/// (checked against a real build of examples/hello-dkms-1.0, whose .ko and make.log every entry copies):
/// <c>src/&lt;m&gt;-&lt;v&gt;/dkms.conf</c>, <c>dkms/&lt;m&gt;/&lt;v&gt;/source</c> → the source,
/// <c>dkms/&lt;m&gt;/&lt;v&gt;/&lt;k&gt;/x86_64/{module/&lt;ko&gt;.ko,log/make.log}</c>,
/// <c>dkms/&lt;m&gt;/kernel-&lt;k&gt;-x86_64</c> → <c>&lt;v&gt;/&lt;k&gt;/x86_64</c> and
/// <c>modules/&lt;k&gt;/updates/dkms/&lt;ko&gt;.ko</c>.
/// </summary>
internal sealed class SyntheticTree
{
    private readonly string _ko;
    private readonly string _makeLog;
    private readonly string _exampleDir;

    private SyntheticTree(string ko, string makeLog, string exampleDir)
    {
        _ko = ko;
        _makeLog = makeLog;
        _exampleDir = exampleDir;
    }

    /// <summary>Builds and installs the example module once (dkmsctl --offline, in the shield) as the template.</summary>
    public static async Task<SyntheticTree> TemplateAsync(BenchOptions o, string root)
    {
        var t = new BenchTrees(root);
        var example = Path.Combine(o.RepositoryRoot, "examples", "hello-dkms-1.0");
        await TreeCopy.CopyAsync(example, Path.Combine(t.SourceTree, "hello-dkms-1.0"));
        t.LinkHeaders(KernelHeaders.Kernel, KernelHeaders.Dir);
        var cmd = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsctl, "--offline", .. t.TreeArgs, "install", "hello-dkms/1.0", "-k", KernelHeaders.Kernel]);
        (await Proc.RunAsync(cmd[0], cmd[1..])).Checked("dkmsctl --offline install hello-dkms/1.0 (synthetic template)");
        var built = Path.Combine(t.DkmsTree, "hello-dkms", "1.0", KernelHeaders.Kernel, "x86_64");
        return new SyntheticTree(Path.Combine(built, "module", "hello_dkms.ko"), Path.Combine(built, "log", "make.log"), example);
    }

    /// <summary>Writes <paramref name="modules"/> modules installed on <paramref name="kernels"/> kernels into <paramref name="t"/>.</summary>
    public void Generate(BenchTrees t, int modules, int kernels)
    {
        var conf = File.ReadAllText(Path.Combine(_exampleDir, "dkms.conf"));
        var source = File.ReadAllText(Path.Combine(_exampleDir, "hello_dkms.c"));
        for (var i = 0; i < modules; i++)
        {
            var name = "syn-" + i.ToString("D4", CultureInfo.InvariantCulture);
            var ko = name.Replace('-', '_');
            var src = Directory.CreateDirectory(Path.Combine(t.SourceTree, name + "-1.0")).FullName;
            File.WriteAllText(Path.Combine(src, "dkms.conf"), conf
                .Replace("\"hello-dkms\"", $"\"{name}\"", StringComparison.Ordinal)
                .Replace("\"hello_dkms\"", $"\"{ko}\"", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(src, "Makefile"), $"obj-m := {ko}.o\n");
            File.WriteAllText(Path.Combine(src, ko + ".c"), source);

            var moduleDir = Path.Combine(t.DkmsTree, name);
            var versionDir = Directory.CreateDirectory(Path.Combine(moduleDir, "1.0")).FullName;
            File.CreateSymbolicLink(Path.Combine(versionDir, "source"), src);
            for (var k = 0; k < kernels; k++)
            {
                var kernel = KernelHeaders.Name(k);
                var arch = Path.Combine(versionDir, kernel, "x86_64");
                File.Copy(_ko, Path.Combine(Directory.CreateDirectory(Path.Combine(arch, "module")).FullName, ko + ".ko"));
                File.Copy(_makeLog, Path.Combine(Directory.CreateDirectory(Path.Combine(arch, "log")).FullName, "make.log"));
                File.CreateSymbolicLink(Path.Combine(moduleDir, $"kernel-{kernel}-x86_64"), $"1.0/{kernel}/x86_64");
                var installed = Directory.CreateDirectory(Path.Combine(t.InstallTree, kernel, "updates", "dkms")).FullName;
                File.Copy(_ko, Path.Combine(installed, ko + ".ko"));
            }
        }
    }
}
