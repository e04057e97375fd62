using System.Formats.Tar;
using System.IO.Compression;
using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>mktarball and ldtarball: round trips with Debian's dkms 3.0.10, and archives that try to escape.</summary>
public sealed class TarballTests : IDisposable
{
    private readonly TestTrees _ours = new();
    private readonly TestTrees _theirs = new();

    private string BuiltLine(string m, string v) => $"{m}/{v}, {_ours.Kernel}, {TestTrees.ArchName}: built\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OurTarball_LoadedByDkms_Built(bool binariesOnly)
    {
        ReferenceDkms.Require();
        Assert.Equal(0, (await _ours.RunAsync("build", "-k", _ours.Kernel, _ours.Module("tarred").Dir)).ExitCode);
        var archive = Path.Combine(_ours.Root, "out", "tarred.dkms.tar.gz");

        var make = await _ours.RunAsync(["mktarball", "tarred/1.0", "-k", _ours.Kernel, "--archive", archive, .. binariesOnly ? new[] { "--binaries-only" } : []]);
        Assert.True(make.ExitCode == 0, make.ToString());
        Assert.EndsWith($"Tarball location: {Path.GetDirectoryName(archive)}/tarred.dkms.tar.gz\n", make.Stdout, StringComparison.Ordinal);

        var load = await ReferenceDkms.RunAsync(_theirs, "ldtarball", archive);

        Assert.True(load.ExitCode == (binariesOnly ? 1 : 0), load.ToString()); // 3.0.10 exits 1 after a binaries-only load
        Assert.Equal(BuiltLine("tarred", "1.0"), (await ReferenceDkms.RunAsync(_theirs, "status")).Stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DkmsTarball_LoadedByUs_Built(bool binariesOnly)
    {
        ReferenceDkms.Require();
        _ = _theirs.SourceTreeModule("theirs");
        Assert.Equal(0, (await ReferenceDkms.RunAsync(_theirs, "build", "-m", "theirs", "-v", "1.0", "-k", _theirs.Kernel)).ExitCode);
        var archive = Path.Combine(_theirs.Root, "theirs.dkms.tar.gz");
        var make = await ReferenceDkms.RunAsync(_theirs,
            ["mktarball", "-m", "theirs", "-v", "1.0", "-k", _theirs.Kernel, "--archive", archive, .. binariesOnly ? new[] { "--binaries-only" } : []]);
        Assert.True(make.ExitCode == 0, make.ToString());

        var load = await _ours.RunAsync("ldtarball", archive);

        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("\nLoading tarball for theirs-1.0\n", load.Stdout, StringComparison.Ordinal);
        Assert.Equal(BuiltLine("theirs", "1.0"), (await _ours.RunAsync("status")).Stdout);
        var install = await _ours.RunAsync("install", "theirs/1.0", "-k", _ours.Kernel);
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.True(File.Exists(Path.Combine(_ours.UpdatesDir, "theirs.ko")));

        var again = await _ours.RunAsync("ldtarball", archive);
        Assert.Equal(8, again.ExitCode);
        Assert.Equal("Error! theirs-1.0 is already added!\nAborting.\n", again.Stderr);
    }

    [Theory]
    [InlineData(new object[] { new string[0] })]
    [InlineData(new object[] { new[] { "--binaries-only" } })]
    [InlineData(new object[] { new[] { "--source-only", "--archive=here.tgz" } })]
    [InlineData(new object[] { new[] { "--archive", "ARCHIVE" } })]
    public async Task Mktarball_WordsAndLoad_AsDkms(string[] options)
    {
        using var s = new SideBySide();
        var k = s.Ours.Kernel;
        Assert.Equal(0, (await s.SameAsync(x => ["build", "-k", k, x.Module("tb").Dir])).ExitCode);

        var make = await s.SameAsync(x =>
            ["mktarball", "tb/1.0", "-k", k, .. options.Select(o => o.Replace("ARCHIVE", Path.Combine(x.Root, "out", "tb.tar.gz"), StringComparison.Ordinal))]);
        Assert.Equal(0, make.ExitCode);
        Assert.Contains("\nTarball location: ", make.Stdout, StringComparison.Ordinal);

        var archive = make.Stdout.Split('\n').Single(l => l.StartsWith("Tarball location: ", StringComparison.Ordinal))["Tarball location: ".Length..];
        foreach (var t in new[] { s.Ours, s.Theirs })
        {
            // Out of the dkms tree, which remove deletes with the version.
            File.Copy(archive.Replace("<trees>", t.Root, StringComparison.Ordinal), Path.Combine(t.Root, "kept.tar.gz"));
        }

        Assert.Equal(0, (await s.SameAsync("remove", "tb/1.0", "--all")).ExitCode);

        // Loading a binaries-only archive, 3.0.10 exits 1 (§13.4); the words are the same.
        var (ours, theirs) = await s.RunAsync(x => ["ldtarball", Path.Combine(x.Root, "kept.tar.gz")]);
        SideBySide.AssertSame(theirs with { ExitCode = ours.ExitCode }, ours);
        Assert.Equal(0, ours.ExitCode);
    }

    [Fact]
    public async Task Mktarball_SourceOnly_NoBuildsNeededAndLoadsAsAdded()
    {
        Assert.Equal(0, (await _ours.RunAsync("add", _ours.Module("srconly").Dir)).ExitCode);

        var make = await _ours.RunAsync("mktarball", "srconly/1.0", "--source-only");
        var archive = Path.Combine(_ours.DkmsTree, "srconly", "1.0", "tarball", "srconly-1.0-source-only.dkms.tar.gz");
        var load = await _theirs.RunAsync("ldtarball", archive);

        Assert.True(make.ExitCode == 0, make.ToString());
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Equal("srconly/1.0: added\n", (await _theirs.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Mktarball_NotBuilt_Exit6()
    {
        Assert.Equal(0, (await _ours.RunAsync("add", _ours.Module("unbuilt").Dir)).ExitCode);

        var r = await _ours.RunAsync("mktarball", "unbuilt/1.0", "-k", _ours.Kernel);

        Assert.Equal(6, r.ExitCode);
        Assert.Contains($"No modules built for {_ours.Kernel} ({TestTrees.ArchName}).", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPlainSourceTarball_AddsTheTreeInside()
    {
        var mod = _ours.Module("plain", "3.1");
        var archive = Path.Combine(_ours.Root, "plain-3.1.tar.xz");
        await Tools.RunAsync("tar", "-C", Path.GetDirectoryName(mod.Dir)!, "-caf", archive, "plain-3.1");

        var r = await _ours.RunAsync("add", archive);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("plain/3.1: added\n", (await _ours.RunAsync("status")).Stdout);
    }

    public static TheoryData<string> HostileEntries => new()
    {
        "absolute",
        "dotdot",
        "symlink-escape",
        "absolute-link",
        "device",
        "dotdot-link-chain",
    };

    [Theory]
    [MemberData(nameof(HostileEntries))]
    public async Task Ldtarball_HostileArchive_RefusedAndNothingWritten(string kind)
    {
        var outside = Path.Combine(_ours.Root, "outside");
        Directory.CreateDirectory(outside);
        var archive = Path.Combine(_ours.Root, $"{kind}.dkms.tar.gz");
        await WriteArchiveAsync(archive, kind, outside);

        var r = await _ours.RunAsync("ldtarball", archive);

        Assert.Equal(7, r.ExitCode);
        Assert.Contains($"Refusing {archive}: entry", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.Empty(Directory.GetFileSystemEntries(_ours.DkmsTree));
        Assert.Empty(Directory.GetFileSystemEntries(_ours.SourceTree));
    }

    private static async Task WriteArchiveAsync(string path, string kind, string outside)
    {
        await using var file = File.Create(path);
        await using var gz = new GZipStream(file, CompressionLevel.Fastest);
        await using var tar = new TarWriter(gz, TarEntryFormat.Gnu);
        await AddFileAsync(tar, "dkms_source_tree/dkms.conf", "PACKAGE_NAME=evil\nPACKAGE_VERSION=1\nDEST_MODULE_LOCATION[0]=/extra\n");
        switch (kind)
        {
            case "absolute":
                await AddFileAsync(tar, outside.TrimEnd('/') + "/pwned", "x");
                break;
            case "dotdot":
                await AddFileAsync(tar, "dkms_source_tree/../../../../../../" + outside.TrimStart('/') + "/pwned", "x");
                break;
            case "symlink-escape":
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.SymbolicLink, "dkms_source_tree/esc") { LinkName = "../../../../../../../../" + outside.TrimStart('/') });
                await AddFileAsync(tar, "dkms_source_tree/esc/pwned", "x");
                break;
            case "absolute-link":
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.SymbolicLink, "dkms_source_tree/abs") { LinkName = outside });
                break;
            case "dotdot-link-chain":
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.SymbolicLink, "dkms_source_tree/s") { LinkName = "." });
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.SymbolicLink, "dkms_source_tree/f") { LinkName = "s/s/s/../../../.." });
                break;
            case "device":
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.CharacterDevice, "dkms_source_tree/null") { DeviceMajor = 1, DeviceMinor = 3 });
                break;
        }

        Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(path)!, "dkms_main_tree"));
        await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.Directory, "dkms_main_tree/"));
    }

    private static async Task AddFileAsync(TarWriter tar, string name, string content)
    {
        var entry = new GnuTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        };
        await tar.WriteEntryAsync(entry);
    }

    public void Dispose()
    {
        _ours.Dispose();
        _theirs.Dispose();
    }
}
