import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0011_add_media_image'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Autosave',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(blank=True, max_length=300, verbose_name='title')),
                ('subtitle', models.CharField(blank=True, max_length=300, verbose_name='subtitle')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('body', models.TextField(blank=True, verbose_name='body')),
                ('saved_at', models.DateTimeField(auto_now=True, verbose_name='saved')),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='articles.article')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'autosave',
                'verbose_name_plural': 'autosaves',
                'constraints': [models.UniqueConstraint(fields=('user', 'article'), name='autosave_one_per_article'), models.UniqueConstraint(condition=models.Q(('article__isnull', True)), fields=('user',), name='autosave_one_new_article')],
            },
        ),
    ]
