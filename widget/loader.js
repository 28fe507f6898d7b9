!function(w,d,s){w.pulse=w.pulse||function(){(w.pulse.q=w.pulse.q||[]).push(arguments)};s=d.createElement('script');s.async=1;s.src='https://pulse.example.com/widget/v1/pulse.js';d.head.appendChild(s)}(window,document);
pulse('init',{siteKey:'pk_…',user:{id:'u-123',email:'ada@example.com',createdAt:'2026-01-02T00:00:00Z',traits:{plan:'premium'}},userHash:'…'});
