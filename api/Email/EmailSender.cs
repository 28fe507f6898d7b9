using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Pulse.Api.Email;

/// <summary>
/// Sends messages through the SMTP server of <see cref="SmtpOptions"/> with MailKit: one connection
/// per round of the dispatcher, opened on the first message and closed at the end of the round.
/// </summary>
public sealed class EmailSender(IOptions<EmailOptions> options, TimeProvider time) : IAsyncDisposable
{
    SmtpClient? _client;

    /// <summary>The MIME message of a queued email: its Message-ID, Date, headers and both parts.</summary>
    public MimeMessage Build(DueEmail email)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.Value.Smtp.From!));
        message.To.Add(MailboxAddress.Parse(email.Recipient));
        message.Subject = email.Subject;
        message.MessageId = email.MessageId;
        message.Date = time.GetUtcNow();
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(email.Headers) ?? [])
            message.Headers.Add(name, value);
        message.Body = new BodyBuilder { TextBody = email.Text ?? "", HtmlBody = email.Html ?? "" }.ToMessageBody();
        return message;
    }

    /// <summary>Sends one message; throws on any failure (connection, authentication, refusal).</summary>
    public async Task SendAsync(DueEmail email, CancellationToken cancellationToken)
    {
        var client = await ConnectedAsync(cancellationToken);
        await client.SendAsync(Build(email), cancellationToken);
    }

    async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true })
            return _client;
        await CloseAsync();
        var smtp = options.Value.Smtp;
        var client = new SmtpClient { Timeout = (int)options.Value.Timeout.TotalMilliseconds };
        try
        {
            var security = smtp.UseStartTls ? SecureSocketOptions.StartTls : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None;
            await client.ConnectAsync(smtp.Host!, smtp.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        _client = client;
        return client;
    }

    /// <summary>Ends the round's connection (QUIT), if one is open.</summary>
    public async Task CloseAsync()
    {
        if (_client is not { } client)
            return;
        _client = null;
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or MailKit.ProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // The messages are sent; a failed goodbye changes nothing.
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();
}
