namespace Dkms.Core.Artifacts;

/// <summary>The registry could not be used for this artifact (down, slow, wrong, or lying): the caller builds locally.</summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string message)
        : base(message)
    {
    }

    public RegistryException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public RegistryException()
    {
    }

    /// <summary>
    /// True when the registry itself is unusable (unreachable, untrusted, refusing the credentials, failing with 5xx),
    /// not just this artifact: the next lookup would meet the same (<see cref="RegistryOutages"/>).
    /// </summary>
    public bool IsTransport { get; private init; }

    /// <summary>A failure of the registry itself rather than of one artifact.</summary>
    public static RegistryException Transport(string message, Exception? inner = null) =>
        inner is null ? new RegistryException(message) { IsTransport = true } : new RegistryException(message, inner) { IsTransport = true };
}
