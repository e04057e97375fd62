using System.Globalization;
using System.Text.RegularExpressions;
using Dkms.Core.Bash;
using Dkms.Core.Errors;
using Dkms.Core.Validation;

namespace Dkms.Core.Conf;

/// <summary>
/// Evaluates a dkms.conf (and the per-module override files of the config dir) for one kernel and
/// applies dkms's post-processing: defaults, the distribution's destination, MAKE_MATCH, PATCH_MATCH,
/// BUILD_EXCLUSIVE and the validation messages of read_conf.
/// </summary>
public static partial class DkmsConfReader
{
    /// <summary>The directives read back from dkms.conf.</summary>
    public static readonly string[] Directives =
    [
        "PACKAGE_NAME", "PACKAGE_VERSION", "BUILT_MODULE_NAME", "BUILT_MODULE_LOCATION", "DEST_MODULE_NAME",
        "DEST_MODULE_LOCATION", "STRIP", "MAKE", "MAKE_MATCH", "CLEAN", "PATCH", "PATCH_MATCH", "PRE_BUILD",
        "POST_BUILD", "POST_ADD", "PRE_INSTALL", "POST_INSTALL", "POST_REMOVE", "AUTOINSTALL", "BUILD_DEPENDS",
        "BUILD_DEPENDS_REBUILD", "BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX",
        "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG", "OBSOLETE_BY", "NO_WEAK_MODULES", "REMAKE_INITRD",
        "MODULES_CONF", "MODULES_CONF_OBSOLETES", "MODULES_CONF_ALIAS_TYPE", "MODULES_CONF_OBSOLETE_ONLY",
    ];

    private static readonly string[] DeprecatedDirectives =
    [
        "REMAKE_INITRD", "MODULES_CONF", "MODULES_CONF_OBSOLETES", "MODULES_CONF_ALIAS_TYPE", "MODULES_CONF_OBSOLETE_ONLY",
    ];

    private static readonly string[] RecordArrays =
        ["BUILT_MODULE_NAME", "BUILT_MODULE_LOCATION", "DEST_MODULE_NAME", "DEST_MODULE_LOCATION"];

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The files sourced for a module, in dkms's order (later ones override earlier ones).</summary>
    public static IReadOnlyList<string> Files(string confPath, ConfContext ctx)
    {
        var files = new List<string> { confPath };
        if (ctx.Module.Length > 0)
        {
            var dir = ctx.Settings.ConfigDir;
            var (m, v, k, a) = (ctx.Module, ctx.ModuleVersion, ctx.Kernel, ctx.Arch);
            files.Add(Path.Combine(dir, $"{m}.conf"));
            if (v.Length > 0)
            {
                files.Add(Path.Combine(dir, $"{m}-{v}.conf"));
                files.Add(Path.Combine(dir, $"{m}-{v}-{k}.conf"));
                files.Add(Path.Combine(dir, $"{m}-{v}-{k}-{a}.conf"));
            }

            files.Add(Path.Combine(dir, $"{m}--{k}.conf"));
            files.Add(Path.Combine(dir, $"{m}--{k}-{a}.conf"));
        }

        return files;
    }

    /// <summary>
    /// Reads <paramref name="confPath"/> for the kernel in <paramref name="ctx"/>. Throws exit 4 when the
    /// file is missing, exit 8 when its evaluation does not finish; validation problems are returned in
    /// <see cref="DkmsConf.Errors"/> (see <see cref="RequireValid"/>).
    /// </summary>
    /// <param name="strict">add/build/install checks: zero modules, duplicate names.</param>
    public static Task<DkmsConf> ReadAsync(string confPath, ConfContext ctx, bool strict, CancellationToken cancellationToken = default) =>
        ReadAsync(confPath, ctx, strict, runner: null, cancellationToken);

    /// <param name="runner">Runs bash (package code: the engine passes the sandbox's runner); the real one when null.</param>
    public static async Task<DkmsConf> ReadAsync(string confPath, ConfContext ctx, bool strict, Processes.IProcessRunner? runner,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(confPath))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.ConfMissing, "Could not locate dkms.conf file.", $"File: {confPath} does not exist.");
        }

        var s = ctx.Settings;
        var presets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kernelver"] = ctx.Kernel,
            ["arch"] = ctx.Arch,
            ["kernel_source_dir"] = ctx.KernelSourceDir,
            ["kernel_config"] = ctx.KernelConfig,
            ["module"] = ctx.Module,
            ["module_version"] = ctx.ModuleVersion,
            ["dkms_tree"] = s.DkmsTree,
            ["source_tree"] = s.SourceTree,
            ["install_tree"] = s.InstallTree,
            ["tmp_location"] = s.TmpLocation,
            ["parallel_jobs"] = s.ParallelJobs?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            ["running_distribution"] = s.Distribution,
            ["current_kernel"] = ctx.RunningKernel,
            ["current_os"] = "Linux",
        };
        var eval = await BashEvaluator.EvaluateAsync(Files(confPath, ctx), Directives, presets, s.ConfTimeout,
            cancellationToken: cancellationToken, runner: runner).ConfigureAwait(false);

        var values = new Dictionary<string, BashValue>(eval.Variables, StringComparer.Ordinal);
        foreach (var directive in ctx.Directives.Concat(EnvironmentDirectives()))
        {
            var eq = directive.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && BashEvaluator.IsIdentifier(directive[..eq]))
            {
                values[directive[..eq]] = BashValue.Of(directive[(eq + 1)..]);
            }
        }

        return Build(confPath, ctx, values, strict, eval.Stderr);
    }

    /// <summary>Throws dkms's "Bad conf file" (exit 8) when <paramref name="conf"/> has errors (the errors themselves are printed first, by the reader's caller).</summary>
    public static DkmsConf RequireValid(DkmsConf conf)
    {
        if (!conf.IsValid)
        {
            throw new DkmsException(DkmsErrorKind.BadConfiguration, DkmsExitCode.BadConf, "Bad conf file.",
                $"File: {conf.ConfPath} does not represent a valid dkms.conf file.");
        }

        return conf;
    }

    private static IEnumerable<string> EnvironmentDirectives()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (((string)e.Key).StartsWith("DKMS_DIRECTIVE", StringComparison.Ordinal) && e.Value is string v)
            {
                yield return v;
            }
        }
    }

    private static DkmsConf Build(string confPath, ConfContext ctx, Dictionary<string, BashValue> values, bool strict, string stderr)
    {
        BashValue V(string name) => values.TryGetValue(name, out var v) ? v : new BashValue();
        string S(string name) => V(name).Scalar;
        string? N(string name) => string.IsNullOrEmpty(S(name)) ? null : S(name);

        var errors = new List<string>();
        var packageName = S("PACKAGE_NAME");
        var packageVersion = S("PACKAGE_VERSION");
        var count = RecordArrays.Max(n => V(n).Extent);
        var modules = new List<ModuleSpec>(count);
        var strip0 = StripValue(V("STRIP")[0]) ?? true;
        for (var i = 0; i < count; i++)
        {
            var built = V("BUILT_MODULE_NAME")[i];
            if (built.Length == 0 && count == 1)
            {
                built = packageName;
            }

            var dest = V("DEST_MODULE_NAME")[i];
            if (dest.Length == 0)
            {
                dest = built;
            }

            var location = V("BUILT_MODULE_LOCATION")[i];
            if (location.Length > 0 && !location.EndsWith('/'))
            {
                location += "/";
            }

            var confDest = V("DEST_MODULE_LOCATION")[i];
            if (built.Length == 0)
            {
                errors.Add($"dkms.conf: Error! No 'BUILT_MODULE_NAME' directive specified for record #{i}.");
            }

            if (built.EndsWith(".o", StringComparison.Ordinal) || built.EndsWith(".ko", StringComparison.Ordinal))
            {
                errors.Add($"dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in record #{i}.");
            }

            if (dest.EndsWith(".o", StringComparison.Ordinal) || dest.EndsWith(".ko", StringComparison.Ordinal))
            {
                errors.Add($"dkms.conf: Error! 'DEST_MODULE_NAME' directive ends in '.o' or '.ko' in record #{i}.");
            }

            if (confDest.Length == 0)
            {
                errors.Add($"dkms.conf: Error! No 'DEST_MODULE_LOCATION' directive specified for record #{i}.");
            }
            else if (!confDest.StartsWith("/kernel", StringComparison.Ordinal) && !confDest.StartsWith("/updates", StringComparison.Ordinal)
                     && !confDest.StartsWith("/extra", StringComparison.Ordinal))
            {
                errors.Add($"dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with\n'/kernel', '/updates', or '/extra' in record #{i}.");
            }

            // dkmsd's own checks: these values become paths, so they must not leave their trees.
            CheckComponent(errors, "BUILT_MODULE_NAME", built, i);
            CheckComponent(errors, "DEST_MODULE_NAME", dest, i);
            CheckRelative(errors, "BUILT_MODULE_LOCATION", location, i);
            CheckRelative(errors, "DEST_MODULE_LOCATION", confDest, i);

            var effectiveDest = DestinationOverride(ctx.Settings.Distribution, ctx.Settings.AddonModulesDir) ?? confDest;
            modules.Add(new ModuleSpec(i, built, location, dest, effectiveDest, confDest, StripValue(V("STRIP")[i]) ?? strip0));
        }

        // After the records, as dkms's read_conf checks them.
        if (packageName.Length == 0)
        {
            errors.Add("dkms.conf: Error! No 'PACKAGE_NAME' directive specified.");
        }
        else if (NameValidator.Problem(packageName) is { } p1)
        {
            errors.Add($"dkms.conf: Error! 'PACKAGE_NAME' directive '{NameValidator.Printable(packageName)}' {p1}.");
        }

        if (packageVersion.Length == 0)
        {
            errors.Add("dkms.conf: Error! No 'PACKAGE_VERSION' directive specified.");
        }
        else if (NameValidator.Problem(packageVersion) is { } p2)
        {
            errors.Add($"dkms.conf: Error! 'PACKAGE_VERSION' directive '{NameValidator.Printable(packageVersion)}' {p2}.");
        }

        // CLEAN is not reported: Debian's 3.0.10 accepts it silently (and runs it) and most Debian packages set it.
        var deprecations = new List<string>();
        deprecations.AddRange(DeprecatedDirectives.Where(d => V(d).Extent > 0).Select(d => $"{d} ({confPath})"));

        var autoinstall = YesNo(errors, "AUTOINSTALL", S("AUTOINSTALL"));
        var rebuild = YesNo(errors, "BUILD_DEPENDS_REBUILD", S("BUILD_DEPENDS_REBUILD"));
        var noWeak = YesNo(errors, "NO_WEAK_MODULES", S("NO_WEAK_MODULES"));

        if (strict)
        {
            var seenBuilt = new HashSet<string>(StringComparer.Ordinal);
            var seenDest = new HashSet<string>(StringComparer.Ordinal);
            foreach (var m in modules)
            {
                if (!seenBuilt.Add(m.BuiltLocation + m.BuiltName))
                {
                    errors.Add($"dkms.conf: Error! Duplicate module '{m.BuiltLocation}{m.BuiltName}' in 'BUILT_MODULE_NAME[{m.Index}]'.");
                }

                if (!seenDest.Add(m.DestName))
                {
                    errors.Add($"dkms.conf: Error! Duplicate module '{m.DestName}' in 'DEST_MODULE_NAME[{m.Index}]'.");
                }
            }
        }

        var patches = new List<string>();
        var patch = V("PATCH");
        foreach (var (i, file) in patch.Items)
        {
            var match = V("PATCH_MATCH")[i];
            if (file.Length > 0 && (match.Length == 0 || Matches(match, ctx.Kernel)))
            {
                patches.Add(file);
            }
        }

        var moduleName = ctx.Module.Length > 0 ? ctx.Module : packageName;
        var moduleVersion = ctx.ModuleVersion.Length > 0 ? ctx.ModuleVersion : packageVersion;
        var make = MakeFor(V("MAKE"), V("MAKE_MATCH"), ctx.Kernel)
                   ?? $"make -C {ctx.KernelSourceDir} M={ctx.Settings.DkmsTree}/{moduleName}/{moduleVersion}/build";
        if (IsClang(ctx))
        {
            make += " LLVM=1";
        }

        var clean = N("CLEAN") ?? $"make -C {ctx.KernelSourceDir} M={ctx.Settings.DkmsTree}/{moduleName}/{moduleVersion}/build clean";

        var obsoleteBy = N("OBSOLETE_BY");
        string? excluded;
        var excludedModules = new List<ModuleSpec>();
        if (ctx.Settings.Profile.PerModuleBuildExclusive)
        {
            excluded = PerModuleExclusion(ctx, V, modules, obsoleteBy, excludedModules);
            modules.RemoveAll(excludedModules.Contains);
        }
        else
        {
            excluded = Exclusion(ctx, S("BUILD_EXCLUSIVE_KERNEL"), S("BUILD_EXCLUSIVE_KERNEL_MIN"),
                N("BUILD_EXCLUSIVE_KERNEL_MAX") ?? obsoleteBy, S("BUILD_EXCLUSIVE_ARCH"), S("BUILD_EXCLUSIVE_CONFIG"));
        }

        if (obsoleteBy is not null && ctx.Settings.Profile.ObsoleteByDeprecated)
        {
            deprecations.Add(ctx.Settings.Profile.Messages.ObsoleteByDeprecation(confPath));
        }

        return new DkmsConf
        {
            ConfPath = confPath,
            PackageName = packageName,
            PackageVersion = packageVersion,
            Modules = modules,
            MakeCommand = make,
            CleanCommand = clean,
            Patches = patches,
            PreBuild = N("PRE_BUILD"),
            PostBuild = N("POST_BUILD"),
            PostAdd = N("POST_ADD"),
            PreInstall = N("PRE_INSTALL"),
            PostInstall = N("POST_INSTALL"),
            PostRemove = N("POST_REMOVE"),
            Autoinstall = autoinstall,
            BuildDepends = V("BUILD_DEPENDS").Items.Values.SelectMany(d => d.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToList(),
            BuildDependsRebuild = rebuild,
            NoWeakModules = noWeak,
            ObsoleteBy = obsoleteBy,
            ExcludedBecause = excluded,
            ExcludedModules = excludedModules,
            HasBuildExclusive = ExclusiveDirectives.Any(n => V(n).Items.Values.Any(x => x.Length > 0)),
            Errors = errors,
            Deprecations = deprecations,
            Stderr = stderr,
        };
    }

    private static readonly string[] ExclusiveDirectives =
    [
        "BUILD_EXCLUSIVE_KERNEL", "BUILD_EXCLUSIVE_KERNEL_MIN", "BUILD_EXCLUSIVE_KERNEL_MAX", "BUILD_EXCLUSIVE_ARCH", "BUILD_EXCLUSIVE_CONFIG",
    ];

    /// <summary>The install location the distribution forces, as dkms's override_dest_module_location.</summary>
    public static string? DestinationOverride(string distribution, string? addonModulesDir)
    {
        if (!string.IsNullOrEmpty(addonModulesDir))
        {
            return "/" + addonModulesDir.TrimStart('/');
        }

        var d = distribution;
        bool Starts(string p) => d.StartsWith(p, StringComparison.Ordinal);
        return Starts("fedora") || Starts("rhel") || Starts("ovm") ? "/extra"
            : Starts("sles") || Starts("suse") || Starts("opensuse") ? "/updates"
            : Starts("debian") || Starts("ubuntu") || Starts("arch") ? "/updates/dkms"
            : null;
    }

    /// <summary>bash's <c>[[ value =~ pattern ]]</c> (ERE, unanchored); an invalid pattern never matches.</summary>
    public static bool Matches(string pattern, string value)
    {
        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string? MakeFor(BashValue make, BashValue makeMatch, string kernel)
    {
        var command = makeMatch[0].Length == 0 ? make[0] : null;
        foreach (var (i, cmd) in make.Items)
        {
            var match = makeMatch[i];
            if (cmd.Length > 0 && match.Length > 0 && Matches(match, kernel))
            {
                command = cmd;
            }
        }

        return string.IsNullOrEmpty(command) ? null : command;
    }

    private static bool IsClang(ConfContext ctx)
    {
        try
        {
            var vmlinux = Path.Combine(ctx.KernelSourceDir, "vmlinux");
            if (File.Exists(vmlinux))
            {
                return false; // reading .comment needs readelf; Debian's headers carry no vmlinux
            }

            return File.Exists(ctx.KernelConfig) &&
                   File.ReadLines(ctx.KernelConfig).Any(l => l.StartsWith("CONFIG_CC_IS_CLANG=y", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// 3.4's per-module BUILD_EXCLUSIVE_*[i]: module i builds when the "global" values (element 0, so a restriction on
    /// index 0 applies to every module, as in dkms) and its own allow it. Fills <paramref name="excludedModules"/>; the
    /// package is excluded (the first reason) only when no module is left. OBSOLETE_BY is the default global
    /// BUILD_EXCLUSIVE_KERNEL_MAX unless some module sets its own.
    /// </summary>
    private static string? PerModuleExclusion(ConfContext ctx, Func<string, BashValue> v, List<ModuleSpec> modules, string? obsoleteBy,
        List<ModuleSpec> excludedModules)
    {
        static string? NonEmpty(string s) => s.Length == 0 ? null : s;
        var maxValues = v("BUILD_EXCLUSIVE_KERNEL_MAX");
        var globalMax = NonEmpty(maxValues.Scalar)
                        ?? (modules.Any(m => maxValues[m.Index].Length > 0) ? null : obsoleteBy);
        string? first = null;
        foreach (var m in modules)
        {
            var reason = Exclusion(ctx, v("BUILD_EXCLUSIVE_KERNEL").Scalar, v("BUILD_EXCLUSIVE_KERNEL_MIN").Scalar, globalMax,
                             v("BUILD_EXCLUSIVE_ARCH").Scalar, v("BUILD_EXCLUSIVE_CONFIG").Scalar)
                         ?? Exclusion(ctx, v("BUILD_EXCLUSIVE_KERNEL")[m.Index], v("BUILD_EXCLUSIVE_KERNEL_MIN")[m.Index],
                             NonEmpty(maxValues[m.Index]), v("BUILD_EXCLUSIVE_ARCH")[m.Index], v("BUILD_EXCLUSIVE_CONFIG")[m.Index]);
            if (reason is not null)
            {
                excludedModules.Add(m);
                first ??= reason;
            }
        }

        return modules.Count > 0 && excludedModules.Count == modules.Count ? first : null;
    }

    private static string? Exclusion(ConfContext ctx, string kernel, string min, string? max, string arch, string config)
    {
        if (kernel.Length > 0 && !Matches(kernel, ctx.Kernel))
        {
            return $"BUILD_EXCLUSIVE_KERNEL '{kernel}'";
        }

        if (min.Length > 0 && Versioning.VersionOrder.CompareVer(ctx.Kernel, min) < 0)
        {
            return $"BUILD_EXCLUSIVE_KERNEL_MIN '{min}'";
        }

        if (max is not null && Versioning.VersionOrder.CompareVer(ctx.Kernel, max) > 0)
        {
            return $"BUILD_EXCLUSIVE_KERNEL_MAX '{max}'";
        }

        if (arch.Length > 0 && !Matches(arch, ctx.Arch))
        {
            return $"BUILD_EXCLUSIVE_ARCH '{arch}'";
        }

        if (config.Length > 0 && File.Exists(ctx.KernelConfig))
        {
            var set = KernelConfigSet(ctx.KernelConfig);
            foreach (var item in config.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var negated = item.StartsWith('!');
                var name = negated ? item[1..] : item;
                if (set.Contains(name) == negated)
                {
                    return $"BUILD_EXCLUSIVE_CONFIG '{item}'";
                }
            }
        }

        return null;
    }

    private static HashSet<string> KernelConfigSet(string path)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var m = ConfigLine().Match(line);
            if (m.Success)
            {
                set.Add(m.Groups[1].Value);
            }
        }

        return set;
    }

    [GeneratedRegex("^(CONFIG_[A-Za-z0-9_]+)=[ym]")]
    private static partial Regex ConfigLine();

    private static bool? StripValue(string value) => value.Length == 0 ? null : value[0] is 'n' or 'N' ? false : true;

    private static bool YesNo(List<string> errors, string name, string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        if (value.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        errors.Add($"dkms.conf: Error! Unsupported {name} value '{NameValidator.Printable(value)}'");
        return false;
    }

    private static void CheckComponent(List<string> errors, string directive, string value, int index)
    {
        if (value.Length > 0 && (value.Contains('/', StringComparison.Ordinal) || value is "." or ".." || value.Any(char.IsControl)))
        {
            errors.Add($"dkms.conf: Error! '{directive}' directive '{NameValidator.Printable(value)}' in record #{index} is not a plain file name.");
        }
    }

    private static void CheckRelative(List<string> errors, string directive, string value, int index)
    {
        var parts = value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains("..") || value.Any(char.IsControl))
        {
            errors.Add($"dkms.conf: Error! '{directive}' directive '{NameValidator.Printable(value)}' in record #{index} leads outside its tree.");
        }
    }
}
