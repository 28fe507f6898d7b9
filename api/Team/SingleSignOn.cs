using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>Single sign-on with an OpenID Connect issuer (<c>Authentication:Oidc</c>); off while <see cref="Authority"/> is empty.</summary>
public sealed class OidcOptions
{
    public const string Section = "Authentication:Oidc";

    /// <summary>The issuer, e.g. https://login.microsoftonline.com/{tenant}/v2.0 (its discovery document is read from there).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Whether a verified email with no Pulse account may sign up, joining <see cref="SignUpWorkspace"/> as <see cref="DefaultRole"/>.</summary>
    public bool AllowSignUp { get; set; }

    public string? SignUpWorkspace { get; set; }

    [AllowedValues(Roles.Owner, Roles.Admin, Roles.Analyst, Roles.Viewer)]
    public string DefaultRole { get; set; } = Roles.Viewer;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

/// <summary>
/// Members sign in with their company's identity provider: the authorization-code flow with PKCE
/// (Microsoft.AspNetCore.Authentication.OpenIdConnect), whose verified email is mapped to a member.
/// Pulse keeps no tokens of the issuer: once the email is known, the handler's result is replaced
/// by a Pulse session, exactly as a password sign-in makes one.
/// </summary>
public static class SingleSignOn
{
    public const string SchemeName = "Oidc";
    public const string CallbackPath = "/dashboard/api/oidc/callback";

    public static AuthenticationBuilder AddPulseSingleSignOn(this AuthenticationBuilder builder, IConfiguration configuration)
    {
        builder.Services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || (!string.IsNullOrEmpty(o.ClientId) && !string.IsNullOrEmpty(o.ClientSecret)),
                "Authentication:Oidc needs ClientId and ClientSecret with its Authority.")
            .Validate(o => !o.AllowSignUp || !string.IsNullOrEmpty(o.SignUpWorkspace),
                "Authentication:Oidc:AllowSignUp needs SignUpWorkspace: the workspace people who sign up join.")
            .ValidateOnStart();
        var oidc = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        if (!oidc.Enabled)
            return builder;
        return builder.AddOpenIdConnect(SchemeName, options =>
        {
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.ResponseType = "code";
            options.UsePkce = true;
            // Back from the issuer as a top-level GET, so the SameSite=Lax correlation cookies come along over http too.
            options.ResponseMode = "query";
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.CallbackPath = CallbackPath;
            options.Scope.Clear();
            options.Scope.Add("openid");
            options.Scope.Add("email");
            options.Scope.Add("profile");
            options.MapInboundClaims = false;
            options.SaveTokens = false;
            // An issuer on this machine (a test, a local one) may speak http; any other must be https.
            options.RequireHttpsMetadata = !Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) || !authority.IsLoopback;
            options.Events.OnTicketReceived = SignInAsync;
            options.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/dashboard#/sso-failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>The issuer vouched for an email: sign its member in (or refuse), then continue at the dashboard.</summary>
    static async Task SignInAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<OidcOptions>>().Value;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds();
        var env = services.GetRequiredService<IHostEnvironment>();
        var principal = context.Principal!;
        var email = principal.FindFirst("email")?.Value;
        var verified = string.Equals(principal.FindFirst("email_verified")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        var address = Actor.AddressOf(http);
        var session = email is null || !verified || !MemberEndpoints.IsEmail(email)
            ? null
            : await services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) =>
            {
                var member = MemberStore.FindByEmail(c, tx, email);
                if (member is null && options.AllowSignUp && WorkspaceStore.Find(c, tx, options.SignUpWorkspace!) is not null)
                {
                    member = MemberStore.FindOrCreate(c, tx, email, now);
                    MembershipStore.Put(c, tx, options.SignUpWorkspace!, member.Id, options.DefaultRole, now);
                    Audit.Write(c, tx, new Actor(Actor.MemberType, member.Id, member.Email, address), options.SignUpWorkspace, "member.joined", member.Id, now,
                        after: new { role = options.DefaultRole, method = "oidc" });
                }
                if (member is null)
                    return null;
                // The issuer verified the email: pending invitations of that email are accepted.
                foreach (var invitation in InvitationStore.PendingOf(c, tx, member.Id, now))
                    if (InvitationStore.Use(c, tx, invitation.Id, now))
                    {
                        MembershipStore.Put(c, tx, invitation.WorkspaceId!, member.Id, invitation.Role!, now);
                        Audit.Write(c, tx, new Actor(Actor.MemberType, member.Id, member.Email, address), invitation.WorkspaceId, "member.joined", member.Id, now,
                            after: new { role = invitation.Role, method = "oidc" });
                    }
                var workspace = MembershipStore.WorkspacesOf(c, tx, member.Id).FirstOrDefault(w => !DemoWorkspace.IsRefused(w.WorkspaceId, env));
                if (workspace is null)
                    return null;
                Audit.Write(c, tx, new Actor(Actor.MemberType, member.Id, member.Email, address), null, AuditStore.SignedIn, member.Id, now,
                    after: new { method = "oidc" });
                return (string?)SessionStore.Create(c, tx, member.Id, workspace.WorkspaceId, now).Token;
            });
        if (session is null)
        {
            await services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) => Audit.Write(c, tx, new Actor(Actor.AnonymousType, null, email, address),
                null, AuditStore.SignInFailed, null, now, after: new { method = "oidc", verified }));
            context.Response.Redirect("/dashboard#/sso-refused");
        }
        else
        {
            http.Response.Cookies.Append(SessionAuthenticationHandler.CookieName, session, SessionAuthenticationHandler.Cookie(http.Request));
            context.Response.Redirect("/dashboard#/overview");
        }
        context.HandleResponse();
    }

    /// <summary><c>GET /dashboard/api/oidc/start</c>: off to the issuer (404 while single sign-on is not configured).</summary>
    public static IResult Start(IOptions<OidcOptions> options) => options.Value.Enabled
        ? Results.Challenge(new AuthenticationProperties { RedirectUri = "/dashboard" }, [SchemeName])
        : Operations.Problems.NotFound("Single sign-on is not configured on this server (Authentication:Oidc:Authority).");
}
