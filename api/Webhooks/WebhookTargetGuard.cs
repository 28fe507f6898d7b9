using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Pulse.Api.Webhooks;

/// <summary>A webhook target was refused by the SSRF guard before any socket was opened.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// The SSRF guard. At registration it resolves the URL's host and refuses it unless every
/// address is public (<see cref="WebhookTargets.Refusal"/>). At delivery it is the
/// <see cref="SocketsHttpHandler.ConnectCallback"/>: it resolves the host again, refuses before
/// opening any socket, and connects only to the addresses it just checked, so a DNS answer that
/// changes between check and connect (rebinding) cannot reach an internal address.
/// </summary>
public sealed class WebhookTargetGuard(IOptions<WebhookOptions> options)
{
    public bool Enabled => !options.Value.AllowInsecureTargets;

    /// <summary>Null when <paramref name="uri"/> may be registered; else why not.</summary>
    public async Task<string?> CheckAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (!Enabled)
            return null;
        try
        {
            await ResolveCheckedAsync(uri.IdnHost, cancellationToken);
            return null;
        }
        catch (WebhookTargetRefusedException refused)
        {
            return refused.Message;
        }
    }

    /// <summary>The connect step of the delivery client: check, then connect to the checked addresses only.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveCheckedAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    async Task<IPAddress[]> ResolveCheckedAsync(string host, CancellationToken cancellationToken)
    {
        var bare = host.TrimStart('[').TrimEnd(']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(bare, cancellationToken);
            }
            catch (SocketException)
            {
                throw new WebhookTargetRefusedException(Refusal(bare));
            }
            catch (ArgumentException)
            {
                throw new WebhookTargetRefusedException($"'{bare}' is not a valid host name.");
            }
            if (addresses.Length == 0)
                throw new WebhookTargetRefusedException(Refusal(bare));
        }
        if (Enabled)
        {
            foreach (var address in addresses)
            {
                if (WebhookTargets.Refusal(address) is { } reason)
                    // An address typed into the URL may be explained; what a name resolves to may not.
                    throw new WebhookTargetRefusedException(literal is not null
                        ? $"The address {address} is {reason}; webhooks may only reach public addresses."
                        : Refusal(bare));
            }
        }
        return addresses;
    }

    /// <summary>
    /// One message for every refusal: naming the address a host resolved to, or telling a name
    /// that does not resolve from one that resolves privately, would let any tenant map the
    /// operator's internal network through this endpoint.
    /// </summary>
    static string Refusal(string host) =>
        $"The host '{host}' cannot be used: webhooks may only reach hosts that resolve to public addresses.";
}
