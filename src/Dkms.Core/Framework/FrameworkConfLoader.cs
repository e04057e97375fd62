using System.Globalization;
using Dkms.Core.Artifacts;
using Dkms.Core.Bash;
using Dkms.Core.Compat;
using Dkms.Core.Errors;

namespace Dkms.Core.Framework;

/// <summary>
/// Reads framework.conf, then framework.conf.d/*.conf in name order, through bash (as dkms does),
/// with the environment's value as the default of each variable dkms leaves uninitialised.
/// </summary>
public static class FrameworkConfLoader
{
    /// <summary>The variables read back from the framework files.</summary>
    public static readonly string[] Names =
    [
        "source_tree", "dkms_tree", "install_tree", "tmp_location", "verbose", "symlink_modules",
        "autoinstall_all_kernels", "modprobe_on_install", "parallel_jobs", "compress_gzip_opts",
        "compress_xz_opts", "compress_zstd_opts", "post_transaction", "sign_file", "mok_signing_key",
        "mok_certificate", "conf_timeout", "build_timeout", "build_sandbox", DkmsProfileSelector.FrameworkKey,
        "build_environment", "try_sign_modules",
        "artifact_registry", "artifact_role", "artifact_verify_key", "artifact_signing_key", "artifact_auth", "artifact_ca",
        "artifact_timeout",
    ];

    // dkms initialises these itself, so the environment cannot change their defaults.
    private static readonly HashSet<string> Initialised = new(StringComparer.Ordinal)
    {
        "source_tree", "dkms_tree", "install_tree", "tmp_location", "verbose", "symlink_modules",
        "compress_gzip_opts", "compress_xz_opts", "compress_zstd_opts",
    };

    /// <summary>Loads the settings; <paramref name="environment"/> defaults to this process's.</summary>
    public static async Task<DkmsSettings> LoadAsync(FrameworkOverrides overrides, string? kernelver = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= CurrentEnvironment();
        var frameworkConf = overrides.FrameworkConf ?? DkmsSettings.DefaultFrameworkConf;
        var files = new List<string> { frameworkConf };
        var dropIns = Path.Combine(Path.GetDirectoryName(frameworkConf) ?? "/etc/dkms", "framework.conf.d");
        if (Directory.Exists(dropIns))
        {
            files.AddRange(Directory.GetFiles(dropIns, "*.conf").Order(StringComparer.Ordinal));
        }

        var tmp = environment.TryGetValue("TMPDIR", out var t) && t.Length > 0 ? t : "/tmp";
        var presets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["dkms_tree"] = DkmsSettings.DefaultDkmsTree,
            ["source_tree"] = DkmsSettings.DefaultSourceTree,
            ["install_tree"] = DkmsSettings.DefaultInstallTree,
            ["tmp_location"] = tmp,
            ["verbose"] = string.Empty,
            ["symlink_modules"] = string.Empty,
            ["compress_gzip_opts"] = string.Empty,
            ["compress_xz_opts"] = DkmsSettings.DefaultXzOptions,
            ["compress_zstd_opts"] = DkmsSettings.DefaultZstdOptions,
            ["kernelver"] = kernelver ?? string.Empty,
        };
        foreach (var name in Names)
        {
            if (!Initialised.Contains(name) && environment.TryGetValue(name, out var value))
            {
                presets[name] = value;
            }
        }

        // Files that hold only comments and blank lines (Debian's default framework.conf) set nothing: the
        // presets are the answer, without starting bash (dkmsd's start-up, every in-process dkmsctl).
        Dictionary<string, string?> values;
        if (files.All(IsInert))
        {
            values = Names.ToDictionary(n => n, n => presets.TryGetValue(n, out var v) ? v : null, StringComparer.Ordinal);
        }
        else
        {
            var eval = await BashEvaluator.EvaluateAsync(files, Names, presets, BashEvaluator.DefaultTimeout,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            values = Names.ToDictionary(n => n, n => eval.Variables.TryGetValue(n, out var v) ? v.Scalar : null, StringComparer.Ordinal);
        }

        string? Get(string name) => values.TryGetValue(name, out var v) ? v : null;

        // Chosen once, here, for every host: the environment's DKMS_COMPAT, framework.conf's dkms_compat, os-release.
        var choice = DkmsProfileSelector.Choose(environment.GetValueOrDefault(DkmsProfileSelector.EnvironmentVariable),
            Get(DkmsProfileSelector.FrameworkKey), overrides.OsReleaseRoot ?? "/");
        var profile = choice.Profile;

        var settings = new DkmsSettings
        {
            FrameworkConf = frameworkConf,
            DkmsTree = TreePath(overrides.DkmsTree ?? Get("dkms_tree"), DkmsSettings.DefaultDkmsTree),
            SourceTree = TreePath(overrides.SourceTree ?? Get("source_tree"), DkmsSettings.DefaultSourceTree),
            InstallTree = TreePath(overrides.InstallTree ?? Get("install_tree"), DkmsSettings.DefaultInstallTree),
            TmpLocation = NonEmpty(Get("tmp_location")) ?? tmp,
            Verbose = overrides.Verbose ?? !string.IsNullOrEmpty(Get("verbose")),
            Debug = overrides.Debug,
            SymlinkModules = overrides.SymlinkModules ?? !string.IsNullOrEmpty(Get("symlink_modules")),
            AutoinstallAllKernels = !string.IsNullOrEmpty(Get("autoinstall_all_kernels")),
            ModprobeOnInstall = overrides.ModprobeOnInstall ?? !string.IsNullOrEmpty(Get("modprobe_on_install")),
            ParallelJobs = Jobs(overrides.ParallelJobs, Get("parallel_jobs")),
            CompressGzipOptions = Get("compress_gzip_opts") ?? string.Empty,
            CompressXzOptions = Get("compress_xz_opts") ?? DkmsSettings.DefaultXzOptions,
            CompressZstdOptions = Get("compress_zstd_opts") ?? DkmsSettings.DefaultZstdOptions,
            PostTransaction = NonEmpty(Get("post_transaction")),
            SignFile = NonEmpty(Get("sign_file")),
            MokSigningKey = NonEmpty(Get("mok_signing_key")),
            MokCertificate = NonEmpty(Get("mok_certificate")),
            ConfTimeout = Seconds(Get("conf_timeout"), "conf_timeout", BashEvaluator.DefaultTimeout),
            BuildTimeout = Seconds(Get("build_timeout"), "build_timeout", DkmsSettings.DefaultBuildTimeout),
            BuildSandbox = NonEmpty(Get("build_sandbox")),
            Profile = profile,
            ProfileSource = choice.Source,
            BuildEnvironment = profile.FrameworkKeys.Contains("build_environment") ? NonEmpty(Get("build_environment")) : null,
            TrySignModules = NonEmpty(Get("try_sign_modules")),
            AddonModulesDir = environment.TryGetValue("ADDON_MODULES_DIR", out var addon) ? NonEmpty(addon) : null,
            Artifacts = ArtifactSettings.From(Get("artifact_registry"), Get("artifact_role"), Get("artifact_verify_key"),
                Get("artifact_signing_key"), Get("artifact_auth"), Get("artifact_ca"), Get("artifact_timeout")),
        };
        return settings;
    }

    /// <summary>True for a missing file, or one with nothing but comments and blank lines (bash would set nothing).</summary>
    internal static bool IsInert(string file)
    {
        try
        {
            return !File.Exists(file)
                   || File.ReadLines(file).All(line => line.TrimStart() is var t && (t.Length == 0 || t[0] == '#'));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // let bash report it
        }
    }

    /// <summary>This process's environment as a dictionary.</summary>
    public static Dictionary<string, string> CurrentEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? string.Empty;
        }

        return env;
    }

    private static string TreePath(string? value, string fallback)
    {
        var v = NonEmpty(value) ?? fallback;
        if (!Path.IsPathRooted(v))
        {
            v = Path.GetFullPath(v);
        }

        return v.Length > 1 ? v.TrimEnd('/') : v;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? Jobs(int? cli, string? conf)
    {
        var n = cli;
        if (n is null && !string.IsNullOrWhiteSpace(conf))
        {
            if (!int.TryParse(conf, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.Failure,
                    $"parallel_jobs '{conf}' is not a number.");
            }

            n = parsed;
        }

        return n switch
        {
            null => Environment.ProcessorCount,
            0 => null,
            _ => n,
        };
    }

    private static TimeSpan Seconds(string? value, string name, TimeSpan fallback)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0 || s > int.MaxValue / 1000)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.Failure,
                $"{name} '{value}' is not a positive number of seconds.");
        }

        return TimeSpan.FromSeconds(s);
    }
}
