using Dkms.Protocol.V1;

namespace Dkms.Daemon.DBus;

/// <summary>
/// Remembers the last finished job of each module on each kernel, so that KernelSettled can say whether a
/// kernel's modules are all ready. The event stream is the only input: the answer needs no tree scan.
/// </summary>
internal sealed class KernelOutcomes
{
    private readonly Dictionary<string, Dictionary<(string Module, string Version), JobState>> _byKernel = new(StringComparer.Ordinal);

    /// <summary>A kernel (re)appeared: what happened to an earlier kernel of the same name no longer counts.</summary>
    public void Detected(string kernel) => _byKernel.Remove(kernel);

    public void JobFinished(Job job)
    {
        if (job.Key is not { Kernel.Length: > 0, Module.Length: > 0 } key)
        {
            return;
        }

        if (!_byKernel.TryGetValue(key.Kernel, out var modules))
        {
            _byKernel[key.Kernel] = modules = [];
        }

        modules[(key.Module, key.Version)] = job.State;
    }

    /// <summary>The modules whose last job on <paramref name="kernel"/> did not succeed, as module/version, sorted.</summary>
    public string[] Failed(string kernel) => _byKernel.TryGetValue(kernel, out var modules)
        ? modules.Where(m => !Succeeded(m.Value)).Select(m => $"{m.Key.Module}/{m.Key.Version}").Order(StringComparer.Ordinal).ToArray()
        : [];

    /// <summary>Skipped (BUILD_EXCLUSIVE) is not a failure: there was nothing to build.</summary>
    private static bool Succeeded(JobState s) => s is JobState.Succeeded or JobState.Skipped;
}
