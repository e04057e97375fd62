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
        using var s = new SideBySide();
        var r = await s.SameAsync(x => ["install", "-k", x.Kernel, x.Module("signed").Dir]);

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("Sign command: /usr/lib/linux-kbuild-", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nSigning key: <trees>/dkms/mok.key\nPublic certificate (MOK): <trees>/dkms/mok.pub\n"
                        + "Certificate or key are missing, generating self signed certificate for MOK...\nCreating symlink ", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nSigning module <trees>/dkms/signed/1.0/build/signed.ko\n", r.Stdout, StringComparison.Ordinal);
        var t = s.Ours;
        var key = Path.Combine(t.DkmsTree, "mok.key");
        var cert = Path.Combine(t.DkmsTree, "mok.pub");
        var installed = Path.Combine(t.UpdatesDir, "signed.ko");
        Assert.Equal("DKMS module signing key\n", await Tools.RunAsync("modinfo", "-F", "signer", installed));
        Assert.Equal("sha256\n", await Tools.RunAsync("modinfo", "-F", "sig_hashalgo", installed));
        var serial = (await Tools.RunAsync("openssl", "x509", "-inform", "DER", "-in", cert, "-noout", "-serial")).Trim()["serial=".Length..];
        var sigKey = (await Tools.RunAsync("modinfo", "-F", "sig_key", installed)).Trim().Replace(":", string.Empty, StringComparison.Ordinal);
        Assert.Equal(serial.TrimStart('0'), sigKey.TrimStart('0'));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        var text = await Tools.RunAsync("openssl", "x509", "-inform", "DER", "-in", cert, "-noout", "-text");
        Assert.Contains("Code Signing", text, StringComparison.Ordinal);
        Assert.Contains("CN = DKMS module signing key", text, StringComparison.Ordinal);

        var keyBefore = await File.ReadAllBytesAsync(key);
        var second = await t.RunAsync("install", "-k", t.Kernel, t.Module("signed2").Dir);
        Assert.DoesNotContain("generating", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(keyBefore, await File.ReadAllBytesAsync(key));
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

        using var s = new SideBySide();
        var r = await s.SameAsync(x => ["install", "-k", x.Kernel, x.Module("gone", "1.0").Conf("OBSOLETE_BY=\"6.0\"\nBUILD_EXCLUSIVE_KERNEL_MAX=\"99\"").Dir]);
        Assert.Equal(0, r.ExitCode); // a version-check skip counts as installed in 3.0.10
        Assert.Equal("\nModule has been obsoleted due to being included\nin kernel 6.0.  We will avoid installing\nfor future kernels above 6.0.\n"
                     + "You may override by specifying --force.\n", r.Stderr);
        Assert.False(File.Exists(Path.Combine(s.Ours.UpdatesDir, "gone.ko")));
    }

    [Fact]
    public async Task Build_SignToolMissingOrFailing_BuildsUnsignedWithMessage()
    {
        using var s = new SideBySide();
        Array.ForEach([s.Ours, s.Theirs], t => File.WriteAllText(t.FrameworkConf, "sign_file=/no/such/sign-file\n"));
        var missing = await s.SameAsync(x => ["build", "-k", x.Kernel, x.Module("nosign").Dir]);
        Assert.Equal(0, missing.ExitCode);
        Assert.StartsWith("Sign command: /no/such/sign-file\nBinary /no/such/sign-file not found, modules won't be signed\nCreating symlink ",
            missing.Stdout, StringComparison.Ordinal);

        // dkms runs sign-file on its terminal and carries on: a failing one that says nothing leaves no word.
        Array.ForEach([s.Ours, s.Theirs], t => File.WriteAllText(t.FrameworkConf, "sign_file=/bin/false\n"));
        var failing = await s.SameAsync(x => ["build", "-k", x.Kernel, x.Module("badsign").Dir]);
        Assert.Equal(0, failing.ExitCode);
        Assert.Contains("\nSigning module <trees>/dkms/badsign/1.0/build/badsign.ko\nCleaning build area...\n", failing.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, failing.Stderr);
        Assert.Equal(string.Empty, (await Tools.RunAsync("modinfo", "-F", "signer", Path.Combine(s.Ours.BuiltDir("badsign", "1.0"), "module", "badsign.ko"))).Trim());
    }

    [Theory]
    [InlineData(".xz", true)]
    [InlineData(".zst", true)]
    [InlineData(".gz", false)] // Debian 12's kmod is built without zlib: modinfo cannot read .ko.gz here
    public async Task Install_KernelWithCompressedModules_CompressedTheSameWay(string ext, bool modinfoReads)
    {
        using var s = new SideBySide();
        foreach (var trees in new[] { s.Ours, s.Theirs })
        {
            Directory.CreateDirectory(Path.Combine(trees.KernelDir, "kernel"));
            File.WriteAllText(Path.Combine(trees.KernelDir, "modules.dep"), $"kernel/drivers/misc/other.ko{ext}:\n");
        }

        var r = await s.SameAsync(x => ["install", "-k", x.Kernel, "--no-depmod", x.Module("packed").Dir]);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"\npacked.ko{ext}:\nRunning module version sanity check.\n", r.Stdout, StringComparison.Ordinal);
        var t = s.Ours;
        var installed = Path.Combine(t.UpdatesDir, "packed.ko" + ext);
        Assert.True(File.Exists(Path.Combine(t.BuiltDir("packed", "1.0"), "module", "packed.ko" + ext)));
        if (ext == ".xz")
        {
            Assert.Contains("CRC32", await Tools.RunAsync("xz", "--list", "--verbose", installed), StringComparison.Ordinal);
        }

        var plain = Path.Combine(t.Root, "packed.ko");
        var decompress = ext switch { ".xz" => "xz -dc", ".zst" => "zstd -dc", _ => "gzip -dc" };
        await Tools.RunAsync("bash", "-c", $"{decompress} '{installed}' > '{plain}'");
        Assert.Equal("DKMS module signing key\n", await Tools.RunAsync("modinfo", "-F", "signer", plain));
        if (modinfoReads)
        {
            Assert.Equal("1.0\n", await Tools.RunAsync("modinfo", "-F", "version", installed));
        }

        Assert.EndsWith(": installed\n", (await t.RunAsync("status")).Stdout, StringComparison.Ordinal);
        var uninstall = await s.SameAsync("uninstall", "packed/1.0", "-k", t.Kernel, "--no-depmod");
        Assert.Contains($"\npacked.ko{ext}:\n - Uninstallation\n   - Deleting from: <trees>/modules/{t.Kernel}/updates/dkms/\n", uninstall.Stdout, StringComparison.Ordinal);
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
        // 3.0.10's words where it archives (everywhere but on Debian and Ubuntu, where it leaves the original in place).
        var store = Path.Combine(_t.DkmsTree, "orig", "original_module", _t.Kernel, TestTrees.ArchName);
        Assert.Contains($"\norig.ko:\nRunning module version sanity check.\n - Original module\n   - Found {original}\n   - Storing in {store}/\n"
                        + "   - Archiving for uninstallation purposes\n - Installation\n", install.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(original));
        var archived = Path.Combine(store, "orig.ko");
        Assert.Equal(original + "\n", await File.ReadAllTextAsync(archived + ".origin"));
        Assert.Equal($"orig/1.0, {_t.Kernel}, {TestTrees.ArchName}: installed (original_module exists)\n", (await _t.RunAsync("status")).Stdout);

        var uninstall = await _t.RunAsync("uninstall", "orig/1.0", "-k", _t.Kernel);

        Assert.Contains($" - Original module\n   - Archived original module found in the DKMS tree\n   - Moving it to: {Path.GetDirectoryName(original)}/\n",
            uninstall.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"depmod...\n\nRemoving original_module from DKMS tree for kernel {_t.Kernel} ({TestTrees.ArchName})\n", uninstall.Stdout, StringComparison.Ordinal);
        Assert.Equal(originalBytes, await File.ReadAllBytesAsync(original));
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "orig", "original_module")));
        Assert.Equal($"orig/1.0, {_t.Kernel}, {TestTrees.ArchName}: built\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Uninstall_ModuleRefusedByVersionCheck_KernelsOwnCopyUntouched()
    {
        // The kernel ships a newer "own" in DEST_MODULE_LOCATION; dkms's copy is refused, and uninstall must
        // not take the kernel's file for ours.
        using var s = new SideBySide();
        Assert.Equal(0, (await s.SameAsync(x => ["build", "-k", x.Kernel, x.Module("own", "9.0").Dir])).ExitCode);
        foreach (var t in new[] { s.Ours, s.Theirs })
        {
            var own = Path.Combine(t.KernelDir, "kernel", "extra", "own.ko");
            Directory.CreateDirectory(Path.GetDirectoryName(own)!);
            File.Copy(Path.Combine(t.BuiltDir("own", "9.0"), "module", "own.ko"), own);
        }

        Assert.Equal(0, (await s.SameAsync("remove", "own/9.0", "--all")).ExitCode);

        var kernelsOwn = Path.Combine(s.Ours.KernelDir, "kernel", "extra", "own.ko");
        var bytes = await File.ReadAllBytesAsync(kernelsOwn);

        var install = await s.SameAsync(x => ["install", "-k", x.Kernel, x.Module("own", "1.0").Dir]);
        var uninstall = await s.SameAsync("uninstall", "own/1.0", "-k", s.Ours.Kernel);

        Assert.Equal(0, install.ExitCode);
        Assert.Contains("is not newer than what is already found", install.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, uninstall.ExitCode);
        Assert.Contains($"\nown.ko:\n - Uninstallation\n   - Module was not found within <trees>/modules/{s.Ours.Kernel}/\n", uninstall.Stdout, StringComparison.Ordinal);
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
        Assert.Contains($"   - Archived original module found in the DKMS tree\n   - Moving it to: {Path.GetDirectoryName(restored)}/\n", r.Stdout, StringComparison.Ordinal);
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
        Assert.StartsWith($"\nMatching modules in kernel: {other} ({TestTrees.ArchName})\nto the configuration of kernel: {_t.Kernel} ({TestTrees.ArchName})\n"
                          + "Module:  matched\nVersion: 1.0\n", r.Stdout, StringComparison.Ordinal);
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
