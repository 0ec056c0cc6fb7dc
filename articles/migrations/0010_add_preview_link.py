import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0009_add_article_trash'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PreviewLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(editable=False, max_length=64, unique=True, verbose_name='key')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='shared')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='ended')),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='preview_links', to='articles.article', verbose_name='article')),
                ('created_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='shared by')),
            ],
            options={
                'verbose_name': 'share link',
                'verbose_name_plural': 'share links',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['article', 'ended_at', 'expires_at'], name='preview_link_live')],
            },
        ),
    ]
