using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Pulse.Tests.Support;

/// <summary>
/// A real OpenID Connect issuer on loopback, built with OpenIddict (degraded mode: no database):
/// discovery, the authorization endpoint (it signs in <see cref="Email"/> at once, as a user who
/// already has a session at their identity provider would be), and the token endpoint, with the
/// authorization-code flow and PKCE required. One client: <see cref="ClientId"/> with
/// <see cref="ClientSecret"/>, redirected only to <c>{pulse}/dashboard/api/oidc/callback</c>.
/// </summary>
public sealed class OidcIssuer : IAsyncDisposable
{
    public const string ClientId = "pulse";
    public const string ClientSecret = "pulse-test-client-secret";

    readonly WebApplication _app;

    OidcIssuer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Who the issuer says signs in next.</summary>
    public string Email { get; set; } = "nobody@example.test";

    /// <summary>Whether the issuer says the email is verified.</summary>
    public bool EmailVerified { get; set; } = true;

    /// <summary>Authorization requests seen, with whether each carried a PKCE challenge (S256).</summary>
    public List<(string ClientId, bool Pkce)> Requests { get; } = [];

    /// <summary>Starts an issuer on a free loopback port whose only client may return to <paramref name="pulse"/>.</summary>
    public static async Task<OidcIssuer> StartAsync(Func<Uri> pulse)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        OidcIssuer? issuer = null;
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            options.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
            options.EnableDegradedMode();
            options.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                issuer!.Requests.Add((context.ClientId ?? "", context.Request.CodeChallengeMethod == CodeChallengeMethods.Sha256));
                if (context.ClientId != ClientId)
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (context.RedirectUri != new Uri(pulse(), "/dashboard/api/oidc/callback").ToString())
                    context.Reject(Errors.InvalidRequest, "This redirect_uri is not registered.");
                return default;
            }));
            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                    context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                return default;
            }));
        });
        var app = builder.Build();
        issuer = new OidcIssuer(app);
        app.MapMethods("/connect/authorize", ["GET", "POST"], (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest()!;
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.AddClaim(new Claim(Claims.Subject, "idp-" + issuer.Email));
            identity.AddClaim(new Claim(Claims.Email, issuer.Email));
            identity.AddClaim(new Claim(Claims.EmailVerified, issuer.EmailVerified ? "true" : "false", ClaimValueTypes.Boolean));
            identity.AddClaim(new Claim(Claims.Name, issuer.Email.Split('@')[0]));
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        issuer.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return issuer;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
