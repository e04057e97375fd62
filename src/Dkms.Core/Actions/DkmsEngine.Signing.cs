using Dkms.Core.Configuration;
using Dkms.Core.Kernels;
using Dkms.Core.Signing;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    private readonly Dictionary<string, SigningPlan?> _signing = new(StringComparer.Ordinal);

    /// <summary>The default key and certificate: under the dkms tree (dkms hard-codes /var/lib/dkms).</summary>
    public (string Key, string Certificate) DefaultMok => MokKeys.DefaultPair(Tree.Root);

    /// <summary>
    /// dkms's prepare_signing: decides whether and how modules are signed and prints what it decided. Every
    /// build does (as 3.0.10's do_build), unless the words print it once per autoinstall: then a kernel/arch is
    /// decided once per engine, and later builds use that quietly.
    /// </summary>
    internal async Task<SigningPlan?> PrepareSigningAsync(KernelInfo kernel, CancellationToken ct)
    {
        var id = kernel.Kernel + "/" + kernel.Arch;
        var once = M.SigningPreambleOncePerAutoinstall;
        lock (_signing)
        {
            if (once && _signing.TryGetValue(id, out var known))
            {
                return known;
            }
        }

        var plan = await DecideSigningAsync(kernel, ct).ConfigureAwait(false);
        lock (_signing)
        {
            _signing[id] = plan;
        }

        return plan;
    }

    private async Task<SigningPlan?> DecideSigningAsync(KernelInfo kernel, CancellationToken ct)
    {
        if (!File.Exists(kernel.ConfigPath))
        {
            _out.Line(M.KernelConfigMissing(kernel.ConfigPath));
            return null;
        }

        if (kernel.ConfigValue("CONFIG_MODULE_SIG_HASH") is not { Length: > 0 } hash)
        {
            _out.Line(M.NoSigningFacility);
            return null;
        }

        var (signFile, key, cert) = await SigningVariablesAsync(kernel.Kernel, ct).ConfigureAwait(false);
        signFile ??= DefaultSignFile(kernel);
        _out.Line(M.SignCommand(signFile));
        if (!IsExecutable(signFile))
        {
            _out.Line(M.SignFileMissing(signFile));
            return null;
        }

        var (resolvedKey, resolvedCert, problem) = await EnsureMokAsync(key, cert, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            _out.Line(problem);
            return null;
        }

        return new SigningPlan(signFile, hash, resolvedKey, resolvedCert);
    }

    /// <summary>The configured (or default) key pair, announced and made when missing; the problem when it cannot be.</summary>
    private async Task<(string Key, string Certificate, string? Problem)> EnsureMokAsync(string? key, string? cert, CancellationToken ct)
    {
        var (defaultKey, defaultCert) = DefaultMok;
        key ??= defaultKey;
        cert ??= defaultCert;
        _out.Line(M.SigningKey(key));
        _out.Line(M.PublicCertificate(cert));
        var isDefault = key == defaultKey && cert == defaultCert;
        return (key, cert, await MokKeys.EnsureAsync(key, cert, isDefault, l => _out.Line(l), ct).ConfigureAwait(false));
    }

    /// <summary>framework.conf's sign_file, mok_signing_key and mok_certificate with <c>$kernelver</c> for this kernel.</summary>
    internal async Task<(string? SignFile, string? Key, string? Certificate)> SigningVariablesAsync(string kernel, CancellationToken ct)
    {
        var s = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides { FrameworkConf = Settings.FrameworkConf }, kernel,
            cancellationToken: ct).ConfigureAwait(false);
        return (s.SignFile, s.MokSigningKey, s.MokCertificate);
    }

    /// <summary>
    /// Debian's kbuild sign-file (<c>/usr/lib/linux-kbuild-&lt;major.minor&gt;/scripts/sign-file</c>), else the
    /// headers' own <c>scripts/sign-file</c>.
    /// </summary>
    private string DefaultSignFile(KernelInfo kernel)
    {
        if (Settings.Distribution.StartsWith("debian", StringComparison.Ordinal) || Settings.Distribution.StartsWith("ubuntu", StringComparison.Ordinal))
        {
            var dot = kernel.Kernel.LastIndexOf('.');
            var kbuild = $"/usr/lib/linux-kbuild-{(dot > 0 ? kernel.Kernel[..dot] : kernel.Kernel)}/scripts/sign-file";
            if (File.Exists(kbuild))
            {
                return kbuild;
            }
        }

        return Path.Combine(kernel.SourceDir, "scripts", "sign-file");
    }

    /// <summary>Signs one built module; a failure is a warning and the build goes on (as dkms).</summary>
    private async Task SignAsync(SigningPlan plan, string ko, CancellationToken ct)
    {
        _out.Line(M.SigningModule(ko));
        var result = await Processes.ProcessRunner.RunAsync(new Processes.ProcessSpec(plan.SignFile, [plan.Hash, plan.Key, plan.Certificate, ko])
        {
            Timeout = TimeSpan.FromMinutes(2),
            MergeStderr = true,
        }, ct).ConfigureAwait(false);
        M.SignFileOutput(_out, ko, result.Stdout, result.Succeeded);
    }

    /// <summary><c>generate_mok</c>: prints the key and certificate paths and makes them when missing.</summary>
    public async Task<int> GenerateMokAsync(CancellationToken ct = default)
    {
        var (_, key, cert) = await SigningVariablesAsync(RunningKernel, ct).ConfigureAwait(false);
        var (_, _, problem) = await EnsureMokAsync(key, cert, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            _out.Error(problem);
            return 1;
        }

        return 0;
    }
}
