using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public abstract partial class DkmsMessages
{
    /// <summary>The status remark for a kernel whose original module dkms keeps in its tree.</summary>
    public abstract string StatusOriginalExists { get; }

    /// <summary>The status remark for a built version some of whose modules are missing from its module directory.</summary>
    public abstract string StatusBuiltModulesMissing { get; }

    /// <summary>The status remark for an installed version whose built and installed modules differ.</summary>
    public abstract string StatusBuiltAndInstalledDiffer { get; }

    /// <summary>autoinstall's line for a module deferred because its BUILD_DEPENDS names modules dkms does not know.</summary>
    public abstract string DeferredDependencies(ModuleRef mv, IEnumerable<string> unregistered);

    /// <summary>autoinstall's closing lines for the deferred modules (<c>m/v</c> each).</summary>
    public abstract string[] AutoinstallDeferred(string kernel, IEnumerable<string> modules);

    /// <summary>The deprecation for a dkms.conf that sets OBSOLETE_BY (what follows <c>Deprecated feature: </c>).</summary>
    public abstract string ObsoleteByDeprecation(string confPath);
}
