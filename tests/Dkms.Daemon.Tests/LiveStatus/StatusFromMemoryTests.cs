using DkmsEngine = Dkms.Core.Actions.DkmsEngine;
using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Platform;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.LiveStatus;

/// <summary>
/// The real dkmsd answers status from memory while other tools change the tree behind its back (Debian's dkms, a
/// user's <c>rm</c>, a package upgrade): after each change its answer equals a fresh in-process disk walk.
/// </summary>
public sealed class StatusFromMemoryTests : IDisposable
{
    private const string Kernel = "6.1.0-91-test";
    private const string Arch = "x86_64";
    private const string Diff = "(WARNING! Diff between built and installed module!)";

    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    [Fact]
    public async Task Status_TreeChangedBehindDaemon_EqualsFreshDiskWalkEachTime()
    {
        AddedModule("alpha", "1.0");
        await using var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, "--no-automation", "--no-dbus"]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        using var channel = DkmsdProcess.Channel(_trees.Socket);
        var client = new Protocol.V1.Dkms.DkmsClient(channel);
        Assert.Contains("alpha/1.0: added", await SameAsDiskAsync(client));

        // Debian's dkms add: a version directory and its source link.
        AddedModule("beta", "2.0");
        Assert.Contains("beta/2.0: added", await SameAsDiskAsync(client));

        // dkms build: the kernel/arch directory with module/ published.
        Built("beta", "2.0", "beta.ko", "built-2.0");
        Assert.Contains($"beta/2.0, {Kernel}, {Arch}: built", await SameAsDiskAsync(client));

        // dkms install: the module file in updates/dkms, then the kernel-* link.
        Installed("beta", "2.0", "built-2.0");
        Assert.Contains($"beta/2.0, {Kernel}, {Arch}: installed", await SameAsDiskAsync(client));

        // A newer version built and the kernel-* link swapped to it (ln -s to a temporary name, then mv -T).
        AddedModule("beta", "3.0");
        Built("beta", "3.0", "beta.ko", "built-3.0");
        Installed("beta", "3.0", "built-3.0");
        var swapped = await SameAsDiskAsync(client);
        Assert.Contains($"beta/2.0, {Kernel}, {Arch}: built", swapped);
        Assert.Contains($"beta/3.0, {Kernel}, {Arch}: installed", swapped);

        // The installed .ko replaced behind dkms (another package, a user), then removed.
        ReplaceFile(InstalledKo("beta"), "someone else's module");
        Assert.Contains($"beta/3.0, {Kernel}, {Arch}: installed {Diff}", await SameAsDiskAsync(client));
        File.Delete(InstalledKo("beta"));
        Assert.Contains(Diff, await SameAsDiskAsync(client));
        ReplaceFile(InstalledKo("beta"), "built-3.0");
        Assert.DoesNotContain(Diff, await SameAsDiskAsync(client));

        // Filters: a kernel repeats the listing; a kernel without arch matches every arch; a module; a version.
        await SameAsDiskAsync(client, new StatusRequest { Kernels = { new KernelTarget { Kernel = Kernel } } });
        await SameAsDiskAsync(client, new StatusRequest { Kernels = { new KernelTarget { Kernel = Kernel, Arch = Arch }, new KernelTarget { Kernel = "5.10.0-1-other" } } });
        await SameAsDiskAsync(client, new StatusRequest { Module = "beta", Version = "2.0" });

        // A package upgrade rewrites /usr/src/beta-3.0 (dpkg: .dpkg-new, then rename): a second module the build lacks.
        var conf = Path.Combine(_trees.SourceTree, "beta-3.0", "dkms.conf");
        ReplaceFile(conf, File.ReadAllText(conf) + "BUILT_MODULE_NAME[1]=\"beta_extra\"\nDEST_MODULE_LOCATION[1]=\"/kernel/extra\"\n");
        Assert.DoesNotContain($"beta/3.0, {Kernel}, {Arch}", await SameAsDiskAsync(client));

        // The whole source directory replaced (rm -rf, unpack): status reads the new conf.
        Directory.Delete(Path.Combine(_trees.SourceTree, "beta-3.0"), recursive: true);
        Assert.Contains("beta/3.0: broken", await SameAsDiskAsync(client));
        _trees.SourceModule("beta", "3.0");
        Assert.Contains($"beta/3.0, {Kernel}, {Arch}: installed", await SameAsDiskAsync(client));

        // A user's rm -rf of a whole module, and a kernel directory that is not a kernel's name.
        Directory.CreateDirectory(Path.Combine(_trees.DkmsTree, "beta", "2.0", "notakernel", Arch, "module"));
        await SameAsDiskAsync(client, new StatusRequest { Kernels = { new KernelTarget { Kernel = "notakernel" } } });
        Directory.Delete(Path.Combine(_trees.DkmsTree, "alpha"), recursive: true);
        Assert.DoesNotContain("alpha", await SameAsDiskAsync(client));
        Directory.Delete(Path.Combine(_trees.DkmsTree, "beta"), recursive: true);
        Assert.Equal(string.Empty, await SameAsDiskAsync(client));
    }

    /// <summary>Asserts that dkmsd's status equals the engine's walk of the disk now; its stdout.</summary>
    private async Task<string> SameAsDiskAsync(Protocol.V1.Dkms.DkmsClient client, StatusRequest? request = null)
    {
        request ??= new StatusRequest();
        var daemon = await client.StatusAsync(request, deadline: Deadline);
        var expected = await FreshWalkAsync(request);
        Assert.Equal(expected.Select(Render), daemon.Lines.Select(Render));

        // Each view carries its half, the same as the whole answer's; asked twice, the kept answer is the same.
        for (var i = 0; i < 2; i++)
        {
            var lines = await client.StatusAsync(new StatusRequest(request) { View = StatusView.Lines }, deadline: Deadline);
            Assert.Empty(lines.Entries);
            Assert.Equal(expected.Select(Render), lines.Lines.Select(Render));
            var entries = await client.StatusAsync(new StatusRequest(request) { View = StatusView.Entries }, deadline: Deadline);
            Assert.Empty(entries.Lines);
            Assert.Equal(daemon.Entries, entries.Entries);
        }

        Assert.All(daemon.Lines, l => Assert.Null(l.Time));
        return string.Concat(daemon.Lines.Where(l => l.Stream == OutputStream.Stdout).Select(l => l.Text + "\n"));
    }

    private static string Render(OutputLine line) => $"{line.Stream}: {line.Text}";

    /// <summary>A fresh engine with a fresh conf cache, on the daemon's settings: what status would say without memory.</summary>
    private async Task<List<OutputLine>> FreshWalkAsync(StatusRequest request)
    {
        var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides
        {
            DkmsTree = _trees.DkmsTree,
            SourceTree = _trees.SourceTree,
            InstallTree = _trees.InstallTree,
            FrameworkConf = _trees.FrameworkConf,
        });
        settings = settings with { Distribution = SystemInfo.Distribution() ?? settings.Distribution };
        var lines = new List<OutputLine>();
        var engine = new DkmsEngine(settings, OutputCapture.Into(lines).Output, new ConfCache());
        var kernels = request.Kernels.Count > 0 ? request.Kernels.Select(k => new Core.Actions.KernelTarget(k.Kernel, k.Arch)).ToList() : null;
        engine.PrintStatus(await engine.StatusAsync(request.Module.Length > 0 ? request.Module : null,
            request.Version.Length > 0 ? request.Version : null, kernels));
        return lines;
    }

    private void AddedModule(string name, string version)
    {
        _trees.SourceModule(name, version);
        var dir = Path.Combine(_trees.DkmsTree, name, version);
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "source"), Path.Combine(_trees.SourceTree, $"{name}-{version}"));
    }

    private void Built(string name, string version, string file, string content)
    {
        var dir = Path.Combine(_trees.DkmsTree, name, version, Kernel, Arch, "module");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, file), content);
    }

    private void Installed(string name, string version, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(InstalledKo(name))!);
        ReplaceFile(InstalledKo(name), content);
        var link = Path.Combine(_trees.DkmsTree, name, $"kernel-{Kernel}-{Arch}");
        var temp = link + ".tmp";
        File.CreateSymbolicLink(temp, $"{version}/{Kernel}/{Arch}");
        using var mv = System.Diagnostics.Process.Start("mv", ["-Tf", temp, link]); // File.Move refuses a link to a directory
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }

    /// <summary>Where this machine's distribution installs (<c>/updates/dkms</c> on Debian), else the conf's location.</summary>
    private string InstalledKo(string name) => Path.Combine(_trees.InstallTree, Kernel,
        (DkmsConfReader.DestinationOverride(SystemInfo.Distribution() ?? string.Empty, null) ?? "/kernel/extra").Trim('/'), name + ".ko");

    /// <summary>Writes a temporary file and renames it over <paramref name="path"/>, as dpkg and dkms do.</summary>
    private static void ReplaceFile(string path, string content)
    {
        var temp = path + ".dpkg-new";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
