namespace Dkms.Daemon.Authorization;

/// <summary>A connection feature holding the peer's credentials, read once per connection.</summary>
internal interface IPeerCredentialsFeature
{
    /// <summary>Null when the connection is not a Unix socket or the kernel refused to tell.</summary>
    CallerCredentials? Credentials { get; }
}
