namespace Dkms.Daemon.Authorization;

internal sealed class PeerCredentialsFeature(CallerCredentials? credentials) : IPeerCredentialsFeature
{
    public CallerCredentials? Credentials { get; } = credentials;
}
