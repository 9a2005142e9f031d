console.log('supergrep: CLI under construction');
