using Dkms.Core.Framework;
using Dkms.Core.Tree;
using Dkms.Daemon.Automation;

namespace Dkms.Daemon.Tests.Automation;

public sealed class StartupRecoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dkmsd-recovery-").FullName;

    private DkmsSettings Settings => new() { DkmsTree = Path.Combine(_root, "dkms"), InstallTree = Path.Combine(_root, "modules") };

    [Fact]
    public void Run_MokGenerationKilled_TemporaryKeyAndCertificateRemoved()
    {
        var leftovers = Leftovers(Settings.DkmsTree);

        var cleaned = StartupRecovery.Run(Settings);

        Assert.All(leftovers, l => Assert.False(File.Exists(l), l));
        Assert.Equal(leftovers.Order(StringComparer.Ordinal), cleaned.Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(Settings.DkmsTree, "mok.key")), "the pair itself stays");
        Assert.Empty(Directory.EnumerateFiles(Settings.DkmsTree, "*.lock", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void Run_ConfiguredPairElsewhere_ItsLeftoversRemovedToo()
    {
        var keys = Directory.CreateDirectory(Path.Combine(_root, "keys")).FullName;
        var leftovers = Leftovers(keys, "my.key", "my.pub");

        var cleaned = StartupRecovery.Run(Settings with { MokSigningKey = Path.Combine(keys, "my.key"), MokCertificate = Path.Combine(keys, "my.pub") });

        Assert.All(leftovers, l => Assert.False(File.Exists(l), l));
        Assert.Equal(2, cleaned.Count);
    }

    [Fact]
    public async Task Run_GenerationInProgress_ItsFilesLeftAlone()
    {
        var leftovers = Leftovers(Settings.DkmsTree);
        await using var generating = await ModuleLock.AcquireAsync(Settings.DkmsTree, ".mok.key").WaitAsync(TimeSpan.FromMinutes(1));

        var cleaned = StartupRecovery.Run(Settings);

        Assert.Empty(cleaned);
        Assert.All(leftovers, l => Assert.True(File.Exists(l), l));
    }

    /// <summary>What a generation killed between openssl and its renames leaves: both temporary files.</summary>
    private static List<string> Leftovers(string dir, string key = "mok.key", string cert = "mok.pub")
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, key), "the pair in use\n");
        File.WriteAllText(Path.Combine(dir, cert), "the pair in use\n");
        var made = new List<string> { Path.Combine(dir, $".{key}.dkms-new-4242-1"), Path.Combine(dir, $".{cert}.dkms-new-4242-1") };
        made.ForEach(f => File.WriteAllText(f, "half-written\n"));
        return made;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
