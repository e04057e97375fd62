using Dkms.Core.Framework;
using Dkms.Core.Kernels;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Processes;
using Dkms.Core.Tree;

namespace Dkms.Core.Signing;

/// <summary>
/// dkms's module signing: decides per kernel/arch whether and how modules are signed (printing what it decided), and
/// signs built modules. Owns the plans decided so far, so a batch prints its preamble once.
/// </summary>
public sealed class ModuleSigner
{
    private readonly Dictionary<string, SigningPlan?> _plans = new(StringComparer.Ordinal);
    private readonly DkmsTree _tree;
    private readonly DkmsOutput _out;
    private readonly IProcessRunner _processes;
    private readonly SystemFacts _facts;
    private readonly HashSet<string> _advised = new(StringComparer.Ordinal);

    internal ModuleSigner(DkmsTree tree, DkmsOutput output, IProcessRunner processes, SystemFacts facts)
    {
        _tree = tree;
        _out = output;
        _processes = processes;
        _facts = facts;
    }

    /// <summary>dkms's <c>ubuntu*</c> signing: kmodsign and the shim's MOK pair (update-secureboot-policy's).</summary>
    private bool Ubuntu => Settings.Distribution.StartsWith("ubuntu", StringComparison.Ordinal);

    /// <summary>dkms 3.2's <c>gentoo*</c> signing: portage's key, else the kernel's.</summary>
    private bool Gentoo => Settings.Distribution.StartsWith("gentoo", StringComparison.Ordinal)
        && Settings.Profile.DistributionKeySources;

    private DkmsSettings Settings => _tree.Settings;

    private DkmsMessages M => _out.Messages;

    /// <summary>The default key and certificate: under the dkms tree (dkms hard-codes /var/lib/dkms).</summary>
    public (string Key, string Certificate) DefaultMok => MokKeys.DefaultPair(_tree.Root);

    /// <summary>
    /// dkms's prepare_signing: decides whether and how modules are signed and prints what it decided. Every
    /// build does (as 3.0.10's do_build), unless the words print it once per autoinstall: then a kernel/arch is
    /// decided once per signer, and later builds use that quietly.
    /// </summary>
    public async Task<SigningPlan?> PrepareAsync(KernelInfo kernel, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var id = kernel.Kernel + "/" + kernel.Arch;
        var once = M.SigningPreambleOncePerAutoinstall;
        lock (_plans)
        {
            if (once && _plans.TryGetValue(id, out var known))
            {
                return known;
            }
        }

        var plan = await DecideAsync(kernel, ct).ConfigureAwait(false);
        if (Settings.Profile.KernelPreparedAfterBuildChecks)
        {
            _out.Line(); // prepare_kernel_and_signing's closing `echo ""`
        }

        lock (_plans)
        {
            _plans[id] = plan;
        }

        return plan;
    }

    /// <summary>
    /// Takes the plan an autoinstall decided (and printed) for <paramref name="t"/> already: when the words print the
    /// preamble once per autoinstall, builds for that kernel use it quietly (dkmsd's jobs of one batch).
    /// </summary>
    public void Adopt(Actions.KernelTarget t, SigningPlan? plan)
    {
        ArgumentNullException.ThrowIfNull(t);
        lock (_plans)
        {
            _plans[t.Kernel + "/" + t.Arch] = plan;
        }
    }

    /// <summary>Signs one built module; a failure is a warning and the build goes on (as dkms).</summary>
    public async Task SignAsync(SigningPlan plan, string ko, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _out.Line(M.SigningModule(ko));
        var result = await _processes.RunAsync(new ProcessSpec(plan.SignFile, [plan.Hash, plan.Key, plan.Certificate, ko])
        {
            Timeout = TimeSpan.FromMinutes(2),
            MergeStderr = true,
        }, ct).ConfigureAwait(false);
        M.SignFileOutput(_out, ko, result.Stdout, result.Succeeded);
    }

    /// <summary>The configured (or default) key pair, announced and made when missing; the problem when it cannot be.</summary>
    public async Task<(string Key, string Certificate, string? Problem)> EnsureMokAsync(string? key, string? cert, CancellationToken ct)
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
    public async Task<(string? SignFile, string? Key, string? Certificate)> SigningVariablesAsync(string kernel, CancellationToken ct)
    {
        var s = await SigningSettingsAsync(kernel, ct).ConfigureAwait(false);
        return (s.SignFile, s.MokSigningKey, s.MokCertificate);
    }

    /// <summary>framework.conf read again with <c>$kernelver</c> for this kernel (dkms reads its signing variables so).</summary>
    private Task<DkmsSettings> SigningSettingsAsync(string kernel, CancellationToken ct) =>
        FrameworkConfLoader.LoadAsync(new FrameworkOverrides { FrameworkConf = Settings.FrameworkConf }, kernel, cancellationToken: ct);

    /// <summary>
    /// 3.4's <c>try_sign_modules</c>: <c>false</c> never signs; anything but <c>true</c> (the default,
    /// <c>not_in_chroot</c>) does not sign in a chroot. Null when modules may be signed, else the line saying why not.
    /// </summary>
    private string? SigningPolicyRefusal(string? trySignModules)
    {
        if (!Settings.Profile.FrameworkKeys.Contains("try_sign_modules"))
        {
            return null;
        }

        return trySignModules switch
        {
            "false" => M.SigningDisabledByPolicy,
            "true" => null,
            _ => _facts.InChroot() ? M.SigningSkippedInChroot : null,
        };
    }

    private async Task<SigningPlan?> DecideAsync(KernelInfo kernel, CancellationToken ct)
    {
        var variables = await SigningSettingsAsync(kernel.Kernel, ct).ConfigureAwait(false);
        if (SigningPolicyRefusal(variables.TrySignModules) is { } refusal)
        {
            _out.Line(refusal);
            return null;
        }

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

        var (signFile, key, cert) = (variables.SignFile, variables.MokSigningKey, variables.MokCertificate);
        signFile ??= DefaultSignFile(kernel);
        _out.Line(M.SignCommand(signFile));
        if (!Hooks.IsExecutable(signFile))
        {
            _out.Line(M.SignFileMissing(signFile));
            return null;
        }

        if (key is null && Ubuntu)
        {
            (key, cert) = (Path.Combine(_facts.ShimMokDir, "MOK.priv"), Path.Combine(_facts.ShimMokDir, "MOK.der"));
            if (!await ShimPairAsync(key, cert, ct).ConfigureAwait(false))
            {
                return null;
            }
        }
        else if (key is null && Gentoo)
        {
            (key, cert) = GentooPair(kernel);
        }

        var (resolvedKey, resolvedCert, problem) = await EnsureMokAsync(key, cert, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            _out.Line(problem);
            return null;
        }

        AdviseEnrollment(resolvedCert);
        return new SigningPlan(signFile, hash, resolvedKey, resolvedCert);
    }

    /// <summary>
    /// dkms on Ubuntu: when the shim's pair is incomplete, update-secureboot-policy makes a new one (it will not while
    /// the certificate exists, so a lone certificate goes first); false when there is no such program (no signing).
    /// </summary>
    private async Task<bool> ShimPairAsync(string key, string cert, CancellationToken ct)
    {
        if (File.Exists(key) && File.Exists(cert))
        {
            return true;
        }

        if (_facts.FindProgram("update-secureboot-policy") is not { } policy)
        {
            _out.Line("Binary update-secureboot-policy not found, modules won't be signed");
            return false;
        }

        File.Delete(cert);
        _out.Line("Certificate or key are missing, generating them using update-secureboot-policy...");
        await _processes.RunAsync(new ProcessSpec(policy, ["--new-key"])
        {
            ExtraEnvironment = new Dictionary<string, string> { ["SHIM_NOTRIGGER"] = "y" },
            Timeout = TimeSpan.FromMinutes(2),
        }, ct).ConfigureAwait(false); // its output goes nowhere, as dkms's &>/dev/null
        if (Settings.Profile.DistributionKeySources)
        {
            // 3.2+: the new key is queued for enrollment at the next boot (the tool asks for a password, then
            // MOK Manager does); what it says is shown.
            var enroll = await _processes.RunAsync(new ProcessSpec(policy, ["--enroll-key"])
            {
                Timeout = TimeSpan.FromMinutes(5),
                MergeStderr = true,
            }, ct).ConfigureAwait(false);
            foreach (var line in enroll.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                _out.Line(line);
            }
        }

        return true;
    }

    /// <summary>
    /// dkms 3.2's Gentoo key: <c>MODULES_SIGN_KEY</c>/<c>MODULES_SIGN_CERT</c> from the environment, else from portage's
    /// make.conf; without a key, the kernel's <c>CONFIG_MODULE_SIG_KEY</c> (a PEM with both halves). A relative
    /// CONFIG_MODULE_SIG_KEY (<c>certs/signing_key.pem</c>) is the kernel tree's: it is taken from the headers'
    /// directory, where dkms would look in its own working directory. Unset halves stay null (dkms's defaults).
    /// </summary>
    private (string? Key, string? Certificate) GentooPair(KernelInfo kernel)
    {
        var key = NonEmpty(_facts.Environment("MODULES_SIGN_KEY"));
        var cert = NonEmpty(_facts.Environment("MODULES_SIGN_CERT"));
        key ??= PortageValue("MODULES_SIGN_KEY");
        cert ??= PortageValue("MODULES_SIGN_CERT");
        if (key is null && kernel.ConfigValue("CONFIG_MODULE_SIG_KEY") is { Length: > 0 } own)
        {
            key = own.StartsWith("pkcs11:", StringComparison.Ordinal) ? own : Path.Combine(kernel.SourceDir, own);
            cert = key;
        }

        return (key, cert);

        static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }

    /// <summary>A <c>NAME=value</c> line's value in portage's make.conf, quotes removed (as dkms's grep and sed).</summary>
    private string? PortageValue(string name)
    {
        if (!File.Exists(_facts.PortageMakeConf))
        {
            return null;
        }

        var line = File.ReadLines(_facts.PortageMakeConf).FirstOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal));
        var value = line?[(name.Length + 1)..].Split('=')[0].Replace("\"", string.Empty, StringComparison.Ordinal);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// Once per certificate for this signer: when Secure Boot is on and the certificate is not enrolled, one sentence on
    /// stderr with the mokutil command, so the modules are not rejected at load after a reboot.
    /// </summary>
    private void AdviseEnrollment(string certificate)
    {
        lock (_advised)
        {
            if (!_advised.Add(certificate))
            {
                return;
            }
        }

        if (SecureBoot.EnrollmentAdvice(_facts.EfiVarsDir, certificate) is { } advice)
        {
            _out.ErrLine(advice);
        }
    }

    /// <summary>
    /// Debian's kbuild sign-file (<c>/usr/lib/linux-kbuild-&lt;major.minor&gt;/scripts/sign-file</c>), Ubuntu's kmodsign,
    /// else the headers' own <c>scripts/sign-file</c>.
    /// </summary>
    private string DefaultSignFile(KernelInfo kernel)
    {
        if (Ubuntu)
        {
            // dkms: kmodsign (Ubuntu's signing tool, same arguments), else the headers package's sign-file.
            if (_facts.FindProgram("kmodsign") is { } kmodsign)
            {
                return kmodsign;
            }

            var headers = $"/usr/src/linux-headers-{kernel.Kernel}/scripts/sign-file";
            if (File.Exists(headers))
            {
                return headers;
            }
        }
        else if (Settings.Distribution.StartsWith("debian", StringComparison.Ordinal))
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
}
