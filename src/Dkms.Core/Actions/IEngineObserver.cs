namespace Dkms.Core.Actions;

/// <summary>
/// What a host sees of the engine's progress: each unit of work (one module/version on one kernel)
/// and the phases inside it. dkmsd turns these into jobs; dkmsctl in-process needs none.
/// </summary>
/// <remarks>Called on the engine's own flow, synchronously: implementations must be quick and not throw.</remarks>
public interface IEngineObserver
{
    /// <summary>Work on <paramref name="unit"/> for <paramref name="target"/> begins (with the module lock held).</summary>
    void UnitStarted(ModuleRef unit, KernelTarget target);

    /// <summary>A phase of the current unit begins: <c>prepare</c>, <c>make</c>, <c>install</c>, ...</summary>
    /// <param name="name">The phase's name.</param>
    /// <param name="logFile">The build log the phase writes to, when it has one.</param>
    void Phase(string name, string? logFile = null);

    /// <summary>The current unit's build has its content key and knows where its modules come from (built, cached, pulled).</summary>
    void Artifact(string contentKey, string origin)
    {
    }

    /// <summary>The current unit ended with dkms's exit code for it.</summary>
    void UnitFinished(ModuleRef unit, KernelTarget target, int exitCode);
}
