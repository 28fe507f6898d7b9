namespace Pulse.Api.Operations;

/// <summary>The endpoint needs this permission (an authorization policy of the same name; see Access.Permissions).</summary>
public sealed record PermissionMetadata(string Permission);

/// <summary>The endpoint is public on purpose: no key and no session is checked by the policy.</summary>
public sealed record PublicMetadata(string Why);

public static class EndpointAccess
{
    /// <summary>Marks an endpoint as public on purpose (the permission test lists every endpoint that is neither public nor guarded).</summary>
    public static TBuilder Public<TBuilder>(this TBuilder builder, string why) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicMetadata(why));
}
