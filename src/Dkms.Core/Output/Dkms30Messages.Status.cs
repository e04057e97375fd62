using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public partial class Dkms30Messages
{
    public override string StatusOriginalExists => "(original_module exists)";

    public override string StatusBuiltModulesMissing => "(WARNING! Missing some built modules!)";

    public override string StatusBuiltAndInstalledDiffer => "(WARNING! Diff between built and installed module!)";

    /// <remarks>3.4.3's words: a profile before 3.4 never defers.</remarks>
    public override string DeferredDependencies(ModuleRef mv, IEnumerable<string> unregistered) =>
        $"{mv.Module}/{mv.Version} autoinstall deferred: BUILD_DEPENDS not registered with DKMS: {string.Join(' ', unregistered)}.";

    /// <remarks>3.4.3's words, as <see cref="DeferredDependencies"/>.</remarks>
    public override string[] AutoinstallDeferred(string kernel, IEnumerable<string> modules) =>
    [
        $"Autoinstall on {kernel} deferred module(s) {string.Join(' ', modules)} due to BUILD_DEPENDS not yet registered with DKMS.",
        "These may be provided externally or by a package not yet configured; autoinstall will retry on the next trigger.",
    ];

    /// <remarks>3.4.3's words: a profile before 3.4 does not deprecate OBSOLETE_BY.</remarks>
    public override string ObsoleteByDeprecation(string confPath) => $"OBSOLETE_BY ({confPath}): use BUILD_EXCLUSIVE_KERNEL_MAX instead";
}
