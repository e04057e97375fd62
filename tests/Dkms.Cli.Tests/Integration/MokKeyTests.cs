using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// framework.conf's <c>mok_signing_key</c> / <c>mok_certificate</c>: a pair is only made where dkms 3.0.10
/// makes it, no directory is created for it, and an existing key or certificate is never replaced.
/// </summary>
public sealed class MokKeyTests : IDisposable
{
    private const string Generating = "Certificate or key are missing, generating self signed certificate for MOK...";

    private readonly TestTrees _t = new();

    private string Key => Path.Combine(_t.DkmsTree, "mok.key");

    private string Cert => Path.Combine(_t.DkmsTree, "mok.pub");

    private string Typo => Path.Combine(_t.Root, "typo");

    [Fact]
    public async Task Build_KeyPathMistyped_EnrolledPairUntouchedAndSaysUnsigned()
    {
        var (key, cert) = await DefaultPairAsync();
        File.WriteAllText(_t.FrameworkConf, $"mok_signing_key={Typo}/mok.key\nmok_certificate={Cert}\n");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("typokey").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"Signing key: {Typo}/mok.key\nPublic certificate (MOK): {Cert}\n{Generating}\n" +
            $"Key file {Typo}/mok.key not found and can't be generated, modules won't be signed\n", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Signing module", r.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Typo), "no directory is made for a configured key");
        Assert.Equal(cert, await File.ReadAllBytesAsync(Cert));
        Assert.Equal(key, await File.ReadAllBytesAsync(Key));
        var built = Path.Combine(_t.BuiltDir("typokey", "1.0"), "module", "typokey.ko");
        Assert.Equal(string.Empty, (await Tools.RunAsync("modinfo", "-F", "signer", built)).Trim());
    }

    [Fact]
    public async Task GenerateMok_CertificatePathMistyped_KeyUntouched()
    {
        var (key, _) = await DefaultPairAsync();
        File.WriteAllText(_t.FrameworkConf, $"mok_signing_key={Key}\nmok_certificate={Typo}/mok.pub\n");

        var r = await _t.RunAsync("generate_mok");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"Certificate file {Typo}/mok.pub not found and can't be generated, modules won't be signed", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Typo), "no directory is made for a configured certificate");
        Assert.Equal(key, await File.ReadAllBytesAsync(Key));
    }

    [Fact]
    public async Task GenerateMok_ConfiguredCertificateMissingBesideItsKey_KeyNotReplaced()
    {
        var (key, _) = await DefaultPairAsync();
        var dir = Directory.CreateDirectory(Path.Combine(_t.Root, "keys")).FullName;
        File.Copy(Key, Path.Combine(dir, "my.key"));
        File.WriteAllText(_t.FrameworkConf, $"mok_signing_key={dir}/my.key\nmok_certificate={dir}/my.pub\n");

        var r = await _t.RunAsync("generate_mok");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{Generating}\nNot generating a new pair: it would replace {dir}/my.key\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Certificate file {dir}/my.pub not found and can't be generated, modules won't be signed", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(key, await File.ReadAllBytesAsync(Path.Combine(dir, "my.key")));
        Assert.False(File.Exists(Path.Combine(dir, "my.pub")));
    }

    [Fact]
    public async Task GenerateMok_ConfiguredKeyMissingBesideItsCertificate_CertificateNotReplaced()
    {
        var (_, cert) = await DefaultPairAsync();
        var dir = Directory.CreateDirectory(Path.Combine(_t.Root, "keys")).FullName;
        File.Copy(Cert, Path.Combine(dir, "my.pub"));
        File.WriteAllText(_t.FrameworkConf, $"mok_signing_key={dir}/my.key\nmok_certificate={dir}/my.pub\n");

        var r = await _t.RunAsync("generate_mok");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"Key file {dir}/my.key not found and can't be generated, modules won't be signed", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(cert, await File.ReadAllBytesAsync(Path.Combine(dir, "my.pub")));
        Assert.False(File.Exists(Path.Combine(dir, "my.key")));
    }

    [Fact]
    public async Task GenerateMok_ConfiguredPairMissingInExistingDirectories_GeneratedThere()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_t.Root, "keys")).FullName;
        File.WriteAllText(_t.FrameworkConf, $"mok_signing_key={dir}/my.key\nmok_certificate={dir}/my.pub\n");

        var r = await _t.RunAsync("generate_mok");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(Generating, r.Stdout, StringComparison.Ordinal);
        var fromCert = await Tools.RunAsync("openssl", "x509", "-inform", "DER", "-in", Path.Combine(dir, "my.pub"), "-noout", "-pubkey");
        Assert.Equal(await Tools.RunAsync("openssl", "pkey", "-in", Path.Combine(dir, "my.key"), "-pubout"), fromCert);
        Assert.False(File.Exists(Key), "the default pair is not made when a pair is configured");
    }

    [Fact]
    public async Task GenerateMok_DefaultPairWithKeyMissing_RegeneratedAsDkms()
    {
        var (_, cert) = await DefaultPairAsync();
        File.Delete(Key);

        var r = await _t.RunAsync("generate_mok");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(Generating, r.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Key));
        Assert.NotEqual(cert, await File.ReadAllBytesAsync(Cert));
    }

    [Fact]
    public async Task GenerateMok_Pkcs11KeyWithoutCertificate_SaysTheCertificateIsMissing()
    {
        File.WriteAllText(_t.FrameworkConf, $"mok_signing_key=pkcs11:token=none\nmok_certificate={Typo}/mok.pub\n");

        var r = await _t.RunAsync("generate_mok");

        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain(Generating, r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Certificate file {Typo}/mok.pub not found and can't be generated, modules won't be signed", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_SignedWithANewPair_LeavesNoLockFiles()
    {
        var r = await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("nolocks").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(Generating, r.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_t.DkmsTree, "*.lock", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }));
    }

    [Fact]
    public async Task Build_LeftoversOfAKilledGeneration_Removed()
    {
        await DefaultPairAsync();
        var leftovers = new[] { Path.Combine(_t.DkmsTree, ".mok.key.dkms-new-4242-1"), Path.Combine(_t.DkmsTree, ".mok.pub.dkms-new-4242-1") };
        Array.ForEach(leftovers, l => File.WriteAllText(l, "half-written\n"));

        var r = await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("afterkill").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Signing module", r.Stdout, StringComparison.Ordinal);
        Assert.All(leftovers, l => Assert.False(File.Exists(l), l));
    }

    [Fact]
    public async Task GenerateMok_LeftoversWhileAGenerationHoldsTheLock_LeftAlone()
    {
        await DefaultPairAsync();
        var leftovers = new[] { Path.Combine(_t.DkmsTree, ".mok.key.dkms-new-4242-1"), Path.Combine(_t.DkmsTree, ".mok.pub.dkms-new-4242-1") };
        Array.ForEach(leftovers, l => File.WriteAllText(l, "being written\n"));
        await using var generating = await Dkms.Core.Tree.ModuleLock.AcquireAsync(_t.DkmsTree, ".mok.key").WaitAsync(DkmsCtl.DefaultTimeout);

        var r = await _t.RunAsync("generate_mok");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.All(leftovers, l => Assert.True(File.Exists(l), l));
    }

    /// <summary>Makes the default pair (the one a user would have enrolled) and returns its bytes.</summary>
    private async Task<(byte[] Key, byte[] Cert)> DefaultPairAsync()
    {
        var r = await _t.RunAsync("generate_mok");
        Assert.True(r.ExitCode == 0, r.ToString());
        return (await File.ReadAllBytesAsync(Key), await File.ReadAllBytesAsync(Cert));
    }

    public void Dispose() => _t.Dispose();
}
