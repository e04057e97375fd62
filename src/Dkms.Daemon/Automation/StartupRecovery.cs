using Dkms.Core.Framework;
using Dkms.Core.Signing;
using Dkms.Core.Tree;

namespace Dkms.Daemon.Automation;

/// <summary>
/// What a killed daemon (or dkms) can leave behind, cleaned before the first job: builds still running in
/// their own session, build directories, staging directories of unpublished builds, temporary module
/// files of unfinished installs, and the temporary key and certificate of an unfinished MOK generation.
/// The trees themselves are never half-changed (builds are published and modules installed with one
/// rename each), so after this the reconciler can simply redo the work.
/// </summary>
internal static class StartupRecovery
{
    public static List<string> Run(DkmsSettings settings)
    {
        var (dkmsTree, installTree) = (settings.DkmsTree, settings.InstallTree);
        var (defaultKey, defaultCert) = MokKeys.DefaultPair(dkmsTree);
        var cleaned = new List<string>(MokKeys.RemoveLeftovers(defaultKey, defaultCert));
        if (settings.MokSigningKey is not null || settings.MokCertificate is not null)
        {
            cleaned.AddRange(MokKeys.RemoveLeftovers(settings.MokSigningKey ?? defaultKey, settings.MokCertificate ?? defaultCert));
        }

        cleaned.AddRange(StaleWork.CleanInterruptedBuilds(new TreeState(new DkmsTree(settings))));

        foreach (var kernel in KernelTrees.List(installTree))
        {
            foreach (var tmp in FileWalker.Files(Path.Combine(installTree, kernel), name => name.Contains(".dkms-tmp-", StringComparison.Ordinal)))
            {
                File.Delete(tmp);
                cleaned.Add(tmp);
            }
        }

        return cleaned;
    }
}
