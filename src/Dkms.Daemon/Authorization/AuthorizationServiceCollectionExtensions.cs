namespace Dkms.Daemon.Authorization;

internal static class AuthorizationServiceCollectionExtensions
{
    public static IServiceCollection AddPeerAuthorization(this IServiceCollection services)
    {
        services.AddSingleton<AuthorizationPolicy>();
        services.AddSingleton<AuthorizationInterceptor>();
        services.AddSingleton<ReadAccess>();
        return services;
    }
}
