using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>Signing and MOK keys, compression, original modules, match, symlinked installs.</summary>
public sealed class InstallFidelityTests : IDisposable
{
    private readonly TestTrees _t = new();

    private string Key => Path.Combine(_t.DkmsTree, "mok.key");

    private string Cert => Path.Combine(_t.DkmsTree, "mok.pub");

    [Fact]
    public async Task Install_SigningKernel_ModulesSignedWithGeneratedMok()
    {
        var r = await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("signed").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"Signing key: {Key}\nPublic certificate (MOK): {Cert}\nCertificate or key are missing, generating self signed certificate for MOK...\n\n",
            r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Signing module {_t.DkmsTree}/signed/1.0/build/signed.ko", r.Stdout, StringComparison.Ordinal);
        var installed = Path.Combine(_t.UpdatesDir, "signed.ko");
        Assert.Equal("DKMS module signing key\n", await Tools.RunAsync("modinfo", "-F", "signer", installed));
        Assert.Equal("sha256\n", await Tools.RunAsync("modinfo", "-F", "sig_hashalgo", installed));
        var serial = (await Tools.RunAsync("openssl", "x509", "-inform", "DER", "-in", Cert, "-noout", "-serial")).Trim()["serial=".Length..];
        var sigKey = (await Tools.RunAsync("modinfo", "-F", "sig_key", installed)).Trim().Replace(":", string.Empty, StringComparison.Ordinal);
        Assert.Equal(serial.TrimStart('0'), sigKey.TrimStart('0'));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Key));
        var text = await Tools.RunAsync("openssl", "x509", "-inform", "DER", "-in", Cert, "-noout", "-text");
        Assert.Contains("Code Signing", text, StringComparison.Ordinal);
        Assert.Contains("CN = DKMS module signing key", text, StringComparison.Ordinal);

        var keyBefore = await File.ReadAllBytesAsync(Key);
        var second = await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("signed2").Dir);
        Assert.DoesNotContain("generating", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(keyBefore, await File.ReadAllBytesAsync(Key));
    }

    [Fact]
    public async Task GenerateMok_TwoAtOnce_OnePairThatMatches()
    {
        var runs = await Task.WhenAll(_t.RunAsync("generate_mok"), _t.RunAsync("generate_mok"));

        Assert.All(runs, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(1, runs.Count(r => r.Stdout.Contains("generating self signed certificate", StringComparison.Ordinal)));
        var fromCert = await Tools.RunAsync("bash", "-c", $"openssl x509 -inform DER -in '{Cert}' -noout -pubkey");
        var fromKey = await Tools.RunAsync("openssl", "pkey", "-in", Key, "-pubout");
        Assert.Equal(fromKey, fromCert);
        Assert.StartsWith($"Signing key: {Key}\nPublic certificate (MOK): {Cert}\n", runs[0].Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateMok_KeyPathNotCreatable_Exit1()
    {
        File.WriteAllText(_t.FrameworkConf, "mok_signing_key=/proc/no/such/mok.key\n");

        var r = await _t.RunAsync("generate_mok");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Key file /proc/no/such/mok.key not found and can't be generated", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_KernelWithoutSigning_NoSignatureAndSaysSo()
    {
        var config = Path.Combine(_t.Root, "nosig.config");
        File.WriteAllLines(config, File.ReadLines(Path.Combine(KernelHeaders.Dir, ".config")).Where(l => !l.StartsWith("CONFIG_MODULE_SIG", StringComparison.Ordinal)));

        var r = await _t.RunAsync("install", "-k", _t.Kernel, "--config", config, _t.Module("unsigned").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("The kernel is built without module signing facility, modules won't be signed", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await Tools.RunAsync("modinfo", "-F", "signer", Path.Combine(_t.UpdatesDir, "unsigned.ko"))).Trim());
        Assert.False(File.Exists(Key));
    }

    [Fact]
    public async Task Install_ConfigAsksForAnotherHash_SignedWithIt()
    {
        var config = Path.Combine(_t.Root, "sha512.config");
        File.WriteAllLines(config, File.ReadLines(Path.Combine(KernelHeaders.Dir, ".config"))
            .Select(l => l.StartsWith("CONFIG_MODULE_SIG_HASH=", StringComparison.Ordinal) ? "CONFIG_MODULE_SIG_HASH=\"sha512\"" : l));

        var r = await _t.RunAsync("install", "-k", _t.Kernel, "--config", config, _t.Module("sha").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("sha512\n", await Tools.RunAsync("modinfo", "-F", "sig_hashalgo", Path.Combine(_t.UpdatesDir, "sha.ko")));
    }

    [Fact]
    public async Task Install_ObsoleteByOrOlderVersion_SkippedUnlessOverridden()
    {
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("ovr", "2.0").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("ovr", "1.0").Dir)).ExitCode);

        var overridden = await _t.RunAsync("install", "ovr/1.0", "-k", _t.Kernel, "--force-version-override");
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        Assert.Contains($"ovr/1.0, {_t.Kernel}, {TestTrees.ArchName}: installed", (await _t.RunAsync("status")).Stdout, StringComparison.Ordinal);

        var obsolete = _t.Module("gone", "1.0").Conf("OBSOLETE_BY=\"6.0\"\nBUILD_EXCLUSIVE_KERNEL_MAX=\"99\"");
        var r = await _t.RunAsync("install", "-k", _t.Kernel, obsolete.Dir);
        Assert.Equal(0, r.ExitCode); // a version-check skip counts as installed in 3.0.10
        Assert.Contains("Module has been obsoleted due to being included in kernel 6.0.", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_t.UpdatesDir, "gone.ko")));
    }

    [Fact]
    public async Task Build_SignToolMissingOrFailing_BuildsUnsignedWithMessage()
    {
        File.WriteAllText(_t.FrameworkConf, "sign_file=/no/such/sign-file\n");
        var missing = await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("nosign").Dir);
        Assert.True(missing.ExitCode == 0, missing.ToString());
        Assert.Contains("Binary /no/such/sign-file not found, modules won't be signed", missing.Stdout, StringComparison.Ordinal);

        File.WriteAllText(_t.FrameworkConf, "sign_file=/bin/false\n");
        var failing = await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("badsign").Dir);
        Assert.True(failing.ExitCode == 0, failing.ToString());
        Assert.Contains($"Warning: Failed to sign module '{_t.DkmsTree}/badsign/1.0/build/badsign.ko'!", failing.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".xz", true)]
    [InlineData(".zst", true)]
    [InlineData(".gz", false)] // Debian 12's kmod is built without zlib: modinfo cannot read .ko.gz here
    public async Task Install_KernelWithCompressedModules_CompressedTheSameWay(string ext, bool modinfoReads)
    {
        Directory.CreateDirectory(Path.Combine(_t.KernelDir, "kernel"));
        File.WriteAllText(Path.Combine(_t.KernelDir, "modules.dep"), $"kernel/drivers/misc/other.ko{ext}:\n");

        var r = await _t.RunAsync("install", "-k", _t.Kernel, "--no-depmod", _t.Module("packed").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        var installed = Path.Combine(_t.UpdatesDir, "packed.ko" + ext);
        Assert.Contains($"Installing {installed}", r.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_t.BuiltDir("packed", "1.0"), "module", "packed.ko" + ext)));
        if (ext == ".xz")
        {
            Assert.Contains("CRC32", await Tools.RunAsync("xz", "--list", "--verbose", installed), StringComparison.Ordinal);
        }

        var plain = Path.Combine(_t.Root, "packed.ko");
        var decompress = ext switch { ".xz" => "xz -dc", ".zst" => "zstd -dc", _ => "gzip -dc" };
        await Tools.RunAsync("bash", "-c", $"{decompress} '{installed}' > '{plain}'");
        Assert.Equal("DKMS module signing key\n", await Tools.RunAsync("modinfo", "-F", "signer", plain));
        if (modinfoReads)
        {
            Assert.Equal("1.0\n", await Tools.RunAsync("modinfo", "-F", "version", installed));
        }

        Assert.EndsWith(": installed\n", (await _t.RunAsync("status")).Stdout, StringComparison.Ordinal);
        var uninstall = await _t.RunAsync("uninstall", "packed/1.0", "-k", _t.Kernel, "--no-depmod");
        Assert.Contains($"Deleting {installed}", uninstall.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(installed));
    }

    [Fact]
    public async Task Install_OverKernelsOwnModule_ArchivesAndUninstallRestores()
    {
        var original = Path.Combine(_t.KernelDir, "kernel", "drivers", "misc", "orig.ko");
        Assert.Equal(0, (await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("orig", "0.5").Dir)).ExitCode);
        Directory.CreateDirectory(Path.GetDirectoryName(original)!);
        File.Copy(Path.Combine(_t.BuiltDir("orig", "0.5"), "module", "orig.ko"), original);
        var originalBytes = await File.ReadAllBytesAsync(original);
        Assert.Equal(0, (await _t.RunAsync("remove", "orig/0.5", "--all")).ExitCode);

        var install = await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("orig", "1.0").Dir);

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Contains($"Found pre-existing {original}, archiving for uninstallation", install.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(original));
        var archived = Path.Combine(_t.DkmsTree, "orig", "original_module", _t.Kernel, TestTrees.ArchName, "orig.ko");
        Assert.Equal(original + "\n", await File.ReadAllTextAsync(archived + ".origin"));
        Assert.Equal($"orig/1.0, {_t.Kernel}, {TestTrees.ArchName}: installed (original_module exists)\n", (await _t.RunAsync("status")).Stdout);

        var uninstall = await _t.RunAsync("uninstall", "orig/1.0", "-k", _t.Kernel);

        Assert.Contains($"Restoring archived original module {original}", uninstall.Stdout, StringComparison.Ordinal);
        Assert.Equal(originalBytes, await File.ReadAllBytesAsync(original));
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "orig", "original_module")));
        Assert.Equal($"orig/1.0, {_t.Kernel}, {TestTrees.ArchName}: built\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Uninstall_ModuleRefusedByVersionCheck_KernelsOwnCopyUntouched()
    {
        // The kernel ships a newer "own" in DEST_MODULE_LOCATION; dkms's copy is refused, and uninstall must
        // not take the kernel's file for ours.
        Assert.Equal(0, (await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("own", "9.0").Dir)).ExitCode);
        var kernelsOwn = Path.Combine(_t.KernelDir, "kernel", "extra", "own.ko");
        Directory.CreateDirectory(Path.GetDirectoryName(kernelsOwn)!);
        File.Copy(Path.Combine(_t.BuiltDir("own", "9.0"), "module", "own.ko"), kernelsOwn);
        Assert.Equal(0, (await _t.RunAsync("remove", "own/9.0", "--all")).ExitCode);
        var bytes = await File.ReadAllBytesAsync(kernelsOwn);

        var install = await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("own", "1.0").Dir);
        var uninstall = await _t.RunAsync("uninstall", "own/1.0", "-k", _t.Kernel);

        Assert.Equal(0, install.ExitCode);
        Assert.Contains("is not newer than what is already found", install.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, uninstall.ExitCode);
        Assert.Contains("Module own.ko was not found within", uninstall.Stdout, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(kernelsOwn));
    }

    [Fact]
    public async Task Uninstall_OriginalArchivedByOldDkmsWithoutOrigin_RestoredToDestLocation()
    {
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("legacy").Dir)).ExitCode);
        var store = Path.Combine(_t.DkmsTree, "legacy", "original_module", _t.Kernel, TestTrees.ArchName);
        Directory.CreateDirectory(store);
        await File.WriteAllTextAsync(Path.Combine(store, "legacy.ko"), "the kernel's own legacy.ko");

        var r = await _t.RunAsync("uninstall", "legacy/1.0", "-k", _t.Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        var restored = Path.Combine(_t.KernelDir, "kernel", "extra", "legacy.ko");
        Assert.Contains($"Restoring archived original module {restored}", r.Stdout, StringComparison.Ordinal);
        Assert.Equal("the kernel's own legacy.ko", await File.ReadAllTextAsync(restored));
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "legacy", "original_module")));
    }

    [Fact]
    public async Task Match_TemplateKernel_InstallsItsModulesOnTarget()
    {
        var other = "9.9.9-match";
        Directory.CreateDirectory(Path.Combine(_t.InstallTree, other));
        Directory.CreateSymbolicLink(Path.Combine(_t.InstallTree, other, "build"), KernelHeaders.Dir);
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("matched").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("notinstalled").Dir)).ExitCode);

        var r = await _t.RunAsync("match", "--templatekernel", _t.Kernel, "-k", other);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith($"Matching modules in kernel: {other} ({TestTrees.ArchName})\nto the configuration of kernel: {_t.Kernel} ({TestTrees.ArchName})\n",
            r.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_t.InstallTree, other, "updates", "dkms", "matched.ko")));
        Assert.DoesNotContain("notinstalled", r.Stdout, StringComparison.Ordinal);

        Assert.Equal(2, (await _t.RunAsync("match", "--templatekernel", _t.Kernel, "-k", _t.Kernel)).ExitCode);
        Assert.Equal(1, (await _t.RunAsync("match", "-k", other)).ExitCode);
    }

    [Fact]
    public async Task Install_SymlinkModules_InstallsLinkIntoDkmsTree()
    {
        var r = await _t.RunAsync("install", "-k", _t.Kernel, "--symlink-modules", _t.Module("linked").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        var installed = new FileInfo(Path.Combine(_t.UpdatesDir, "linked.ko"));
        Assert.Equal(Path.Combine(_t.BuiltDir("linked", "1.0"), "module", "linked.ko"), installed.LinkTarget);
        Assert.EndsWith(": installed\n", (await _t.RunAsync("status")).Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _t.Dispose();
}
